"""`silkgate monitor score` as docs/contracts.md fixes it, through the Typer sub-app."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from silkgate.cli import exit_code_for
from silkgate.cli._monitor import monitor_app
from silkgate.cli._state import CliState


def _app(home: Path) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(home, None, True, False, Console(stderr=True))

    app.add_typer(monitor_app, name="monitor")
    return app


def _tables(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"id": range(300), "pkts": rng.poisson(20, 300),
                          "kind": rng.choice(["a", "b"], 300), "label": 0})  # fmt: skip
    test = pd.DataFrame({"id": range(5), "pkts": [20, 21, 5000, 19, 22],
                         "kind": ["a", "b", "a", "b", "a"], "label": [0, 0, 1, 0, 0]})  # fmt: skip
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    return tmp_path / "train.csv", tmp_path / "test.csv"


def test_score_writes_index_score_in_input_order(tmp_path: Path) -> None:
    train, test = _tables(tmp_path)
    out = tmp_path / "scores.csv"

    result = CliRunner().invoke(
        _app(tmp_path / "home"),
        ["monitor", "score", "--train", str(train), "--input", str(test), "--out", str(out),
         "--ignore-columns", "id,label"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["index", "score"]
    assert list(scores["index"]) == [0, 1, 2, 3, 4]
    assert int(scores["score"].idxmax()) == 2


def test_ignored_columns_are_never_features(tmp_path: Path) -> None:
    train, test = _tables(tmp_path)
    frame = pd.read_csv(test)
    frame["label"] = [9, 9, 0, 9, 9]  # a label that would dominate if read
    frame.to_csv(test, index=False)
    out = tmp_path / "scores.csv"

    CliRunner().invoke(
        _app(tmp_path / "home"),
        ["monitor", "score", "--train", str(train), "--input", str(test), "--out", str(out),
         "--ignore-columns", "label,id"],
    )  # fmt: skip

    assert int(pd.read_csv(out)["score"].idxmax()) == 2


def test_unknown_format_is_exit_code_2(tmp_path: Path) -> None:
    train, test = _tables(tmp_path)

    result = CliRunner().invoke(
        _app(tmp_path / "home"),
        ["monitor", "score", "--train", str(train), "--input", str(test), "--out",
         str(tmp_path / "s.csv"), "--format", "xml"],
    )  # fmt: skip

    assert result.exception is not None
    assert exit_code_for(result.exception) == 2


@pytest.mark.slow
def test_forecast_writes_a_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    ts = np.arange(0, 3600 * 24 * 2, 60.0)
    frame = pd.DataFrame({"ts": ts, "dst_country": rng.choice(["SG", "TH"], len(ts)),
                          "bytes_out": rng.normal(1000, 50, len(ts))})  # fmt: skip
    frame.to_csv(tmp_path / "flows.csv", index=False)
    out = tmp_path / "plot.png"

    result = CliRunner().invoke(
        _app(tmp_path / "home"),
        ["monitor", "forecast", "--input", str(tmp_path / "flows.csv"), "--out", str(out),
         "--interval", "1800"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
