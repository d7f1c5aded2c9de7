"""NATS servers of the ordering service: distinct ports; a clear error when one cannot start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from silkgate.ledger import LedgerError, NatsServers


def test_a_cluster_plan_never_gives_two_servers_the_same_port(tmp_path: Path) -> None:
    servers = NatsServers(tmp_path, count=12)

    ports = [p for spec in servers.ports for p in (spec.client, spec.cluster)]

    assert len(set(ports)) == len(ports) == 24


@pytest.mark.multiprocess
def test_a_server_whose_route_port_is_taken_fails_at_once_naming_the_cause(
    tmp_path: Path,
) -> None:
    servers = NatsServers(tmp_path, count=2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", servers.ports[1].cluster))
        taken.listen()
        with pytest.raises(LedgerError, match=r"n2 exited.*address already in use"):
            servers.start()

    assert servers.pids == [None, None]
