"""Flower's deployment engine for `fl_train`: the apps, the models and the processes.

The ServerApp (`_server_app`) and ClientApp (`_client_app`) are what Flower's SuperLink and
SuperNodes run; `_federation` starts the SuperLink beside the scheduler (with TLS from
`_tls`) and launches the run, `_supernode` runs one party's SuperNode at its node,
`_processes` starts and stops Flower's process trees, `_models` holds the torch models.
"""
