"""`silkgate cluster up|status|down`, run through a root app like the real one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from rich.console import Console

from silkgate.cli._cluster import cluster_app, peer_command
from silkgate.cli._state import CliState
from silkgate.ledger import Cluster

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]


def _run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(home, None, True, False, Console(stderr=True))

    app.add_typer(cluster_app, name="cluster")
    app.command("peer")(peer_command)
    capsys.readouterr()
    app(args=list(args), prog_name="silkgate", standalone_mode=False)
    return dict(json.loads(capsys.readouterr().out))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text()


def test_cluster_up_serves_every_org_and_down_stops_every_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        started = _run(tmp_path, "cluster", "up", "--orgs", "CN,SG", "--nats", "1", capsys=capsys)
        status = _run(tmp_path, "cluster", "status", capsys=capsys)
        stopped = _run(tmp_path, "cluster", "down", capsys=capsys)
    finally:
        if Cluster.exists(tmp_path / "ledger"):
            Cluster.down(tmp_path / "ledger")

    assert sorted(started["peers"]) == ["cn-gxic", "sg-lionhealth"]  # type: ignore[call-overload]
    assert status["peers_agree"] is True
    assert len(stopped["stopped"]) == 3  # type: ignore[arg-type]
    assert not any(_alive(pid) for pid in stopped["stopped"])  # type: ignore[attr-defined]
