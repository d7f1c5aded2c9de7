"""The examples in docs/rules.md run: its YAML rulebook loads, its Python blocks execute."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from silkgate.rules import Assessor, parse_rulebook

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_yaml_example_is_a_valid_rulebook(request_for) -> None:  # type: ignore[no-untyped-def]
    (text,) = blocks("yaml")

    rulebook = parse_rulebook(text, path="docs/rules.md")
    decision = Assessor([rulebook]).assess(request_for(exporter="NZ", importer="SG"))

    assert decision.required_any_of == ("binding_contract", "consent")


@pytest.mark.parametrize("number", range(len(blocks("python"))))
def test_python_example_runs(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "my-rulebooks").mkdir()
    (tmp_path / "my-rulebooks" / "nz.yaml").write_text(blocks("yaml")[0], encoding="utf-8")
    script = tmp_path / "example.py"
    script.write_text(blocks("python")[number], encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    runpy.run_path(str(script))

    capsys.readouterr()
