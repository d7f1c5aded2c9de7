from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkgate.cli import run
from tests.domain.test_transfer import CONTRACT_REQUEST


def _write(tmp_path: Path, document: object) -> str:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_contract_request_prints_one_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["assess", _write(tmp_path, CONTRACT_REQUEST)])
    decision = json.loads(capsys.readouterr().out)
    assert code == 0
    assert decision["is_transfer"] is True
    assert decision["verdict"] in {"allowed", "conditional", "prohibited"}
    assert {"required_any_of", "obligations", "citations", "alternatives", "trace"} <= set(decision)
    assert "PIPL" in " ".join(decision["citations"])


def test_as_of_picks_the_law_in_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = {**CONTRACT_REQUEST, "mechanisms": []}
    path = _write(tmp_path, request)
    run(["assess", path, "--as-of", "2026-03-01"])
    after = json.loads(capsys.readouterr().out)
    run(["assess", path, "--as-of", "2023-06-01"])
    before = json.loads(capsys.readouterr().out)
    assert after["trace"] != before["trace"]


def test_explain_is_readable_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["assess", _write(tmp_path, CONTRACT_REQUEST), "--explain"]) == 0
    text = capsys.readouterr().out
    assert not text.lstrip().startswith("{")
    assert "PIPL" in text


@pytest.mark.parametrize(
    ("document", "extra", "message"),
    [
        pytest.param({**CONTRACT_REQUEST, "importer": {"jurisdiction": "XX"}}, [],
                     "importer.jurisdiction", id="unknown-jurisdiction"),
        pytest.param({**CONTRACT_REQUEST, "purpose": "fun"}, [], "purpose", id="bad-purpose"),
        pytest.param(CONTRACT_REQUEST, ["--as-of", "yesterday"], "--as-of", id="bad-date"),
        pytest.param("not json", [], "is not JSON", id="not-json"),
    ],
)  # fmt: skip
def test_bad_request_is_exit_2_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: object,
    extra: list[str],
    message: str,
) -> None:
    path = tmp_path / "request.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    code = run(["assess", str(path), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_missing_request_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["assess", "nowhere.json"]) == 2
    assert "no such file" in capsys.readouterr().err
