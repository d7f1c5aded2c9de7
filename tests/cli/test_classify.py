from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkgate.cli import run


def test_csv_table_report_has_the_contract_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,note\n" + "".join(f"user{i}@example.com,hello\n" for i in range(20)))
    assert run(["classify", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "table"
    assert report["rows"] == 20
    assert report["columns"]["email"]["entities"]["EMAIL_ADDRESS"] == 1.0
    assert {"subjects", "sensitive_subjects", "grade"} <= set(report)


def test_text_report_offsets_point_into_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "请联系 alice@example.com 了解详情"
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    assert run(["classify", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    entity = report["records"][0]["entities"][0]
    assert text[entity["start"] : entity["end"]] == "alice@example.com"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["classify", "missing.csv"], "no such file", id="missing-file"),
        pytest.param(["classify", "x.csv", "--format", "xml"], "xml", id="unknown-format"),
    ],
)
def test_bad_input_is_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
