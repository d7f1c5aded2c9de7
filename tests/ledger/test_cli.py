"""`silkgate ledger` sub-commands, run through a root app like the real one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
import pytest
import typer
from rich.console import Console

from silkgate.cli import exit_code_for
from silkgate.cli._ledger import ledger_app
from silkgate.cli._state import CliState
from silkgate.demo import DEMO_PARTIES
from silkgate.domain import SilkgateError
from silkgate.ledger import Consortium

from .conftest import register


def _run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(home, None, True, False, Console(stderr=True))

    app.add_typer(ledger_app, name="ledger")
    try:
        app(args=["ledger", *args], prog_name="silkgate", standalone_mode=False)
        code = 0
    except SilkgateError as exc:
        code = exit_code_for(exc)
        print(f"silkgate: {exc}")
    except click.exceptions.Exit as done:
        code = int(done.exit_code)
    return code, capsys.readouterr().out


@pytest.fixture
def home(tmp_path: Path) -> Path:
    with Consortium.create(tmp_path / "home" / "ledger", DEMO_PARTIES[:3]) as consortium:
        register(consortium.client("cn-gxic"))
    return tmp_path / "home"


def test_verify_passes_on_an_intact_ledger(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(home, "verify", capsys=capsys)

    assert code == 0
    assert json.loads(out)["ok"] is True


def test_verify_exits_1_naming_the_bad_block(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sqlite3.connect(home / "ledger" / "peers" / "cn-gxic.db")
    with db:
        db.execute("UPDATE state SET value = replace(value, 'CN', 'SG') WHERE key LIKE 'dataset/%'")
    db.close()

    code, out = _run(home, "verify", capsys=capsys)

    assert code == 1
    assert "peer cn-gxic: block 1:" in out.splitlines()[-1]


def test_history_and_audit_as_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(home, "history", "dataset/cn-visits", capsys=capsys)
    assert code == 0
    assert json.loads(out)["history"][0]["block"] == 1

    code, out = _run(home, "audit", "--dataset", "cn-visits", capsys=capsys)
    assert code == 0
    assert [e["action"] for e in json.loads(out)["events"]] == ["registered"]


def test_missing_ledger_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(tmp_path, "verify", capsys=capsys)

    assert code == 2
    assert "no ledger at" in out
