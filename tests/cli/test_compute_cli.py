from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkgate.cli import run


def test_status_of_a_fresh_home_lists_no_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--data-dir", str(tmp_path), "--json", "compute", "status"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", "TASK", id="not-json"),
        pytest.param(json.dumps({"id": "t1", "kind": "teleport"}), "kind", id="unknown-kind"),
    ],
)
def test_bad_task_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    task = tmp_path / "task.json"
    task.write_text(content)
    code = run(["--data-dir", str(tmp_path / "home"), "compute", "submit", str(task)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_unknown_task_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--data-dir", str(tmp_path), "compute", "result", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
