"""A party's SuperNode, run by its node for one task attempt until the SuperLink goes away.

The SuperNode connects out to the SuperLink (the party opens no port to the federation but
the SuperNode's local runtime API on loopback) and runs the ClientApp on the split its node
prepared, named by ``node-config`` ``data-path``. Flower's SuperNode keeps reconnecting
after its SuperLink stops, so the node watches the SuperLink's port itself and stops the
SuperNode, with every process it started, once the port has stayed closed for a while.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path

from silkgate.compute._engines._link import reserve_port
from silkgate.compute._flower._processes import flower_env, launch, stop

GONE_AFTER_S = 3.0
CHECK_EVERY_S = 1.0


class SuperNodeFailed(RuntimeError):
    """The SuperNode exited on its own or the step ran out of time."""


def serve(superlink: str, ca_pem: str, data_path: Path, workdir: Path, *, host: str,
          deadline: float) -> float:  # fmt: skip
    """Run a SuperNode for ``data_path`` until ``superlink`` closes; its tree's CPU seconds.

    ``ca_pem`` is the CA certificate the SuperLink's TLS certificate must chain to.
    """
    home = workdir / "flwr-home"
    home.mkdir(parents=True, exist_ok=True)
    ca_path = workdir / "superlink-ca.pem"
    ca_path.write_text(ca_pem, encoding="ascii")
    node_config = f"data-path={json.dumps(str(data_path))}"
    process = launch(
        ["flower-supernode", "--root-certificates", str(ca_path), "--superlink", superlink,
         "--node-config", node_config, "--host", host, "--port", str(reserve_port(host))],
        env=flower_env(home), log_path=workdir / "supernode.log",
    )  # fmt: skip
    try:
        closed_since: float | None = None
        while True:
            time.sleep(CHECK_EVERY_S)
            if process.poll() is not None:
                raise SuperNodeFailed(f"the SuperNode exited (status {process.returncode})")
            if time.monotonic() > deadline:
                raise SuperNodeFailed("the SuperLink was still up at the step's time limit")
            if _accepts(superlink):
                closed_since = None
            elif closed_since is None:
                closed_since = time.monotonic()
            elif time.monotonic() - closed_since > GONE_AFTER_S:
                break
    finally:
        cpu_s = stop(process)
    return cpu_s


def _accepts(address: str) -> bool:
    host, _, port = address.rpartition(":")
    with contextlib.suppress(OSError), socket.create_connection((host, int(port)), timeout=1.0):
        return True
    return False
