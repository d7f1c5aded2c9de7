"""Loading rulebooks: the packaged set, a user's directory, and errors that name file and clause."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkgate.domain import InvalidInput
from silkgate.rules import (
    Assessor,
    Clause,
    EvaluationError,
    Rulebook,
    RulebookError,
    load_rulebooks,
)

GOOD_CLAUSE = """
  - id: xx.test.rule
    title: "test rule"
    effect: require
    mechanisms: [consent]
    condition: "data.personal"
    citation: "Test Act s1"
"""


def write_rulebook(directory: Path, clauses: str, *, name: str = "xx.yaml") -> Path:
    path = directory / name
    path.write_text(
        f"id: {name.removesuffix('.yaml')}\ntitle: test\njurisdictions: [NZ]\nclauses:{clauses}",
        encoding="utf-8",
    )
    return path


def test_packaged_rulebooks_cover_every_jurisdiction_of_the_contract() -> None:
    rulebooks = load_rulebooks()

    covered = {code for book in rulebooks for code in book.jurisdictions}
    expected = {"CN", "SG", "MY", "TH", "VN", "ID", "PH", "BN", "KH", "LA", "MM", "EU", "US-CA"}
    assert expected <= covered
    assert all(clause.citation for book in rulebooks for clause in book.clauses)


def test_user_rulebook_is_applied(tmp_path: Path, request_for) -> None:  # type: ignore[no-untyped-def]
    write_rulebook(tmp_path, GOOD_CLAUSE)
    assessor = Assessor.from_directory(tmp_path)

    decision = assessor.assess(request_for(exporter="NZ", importer="AU"))

    assert decision.verdict == "conditional"
    assert decision.required_any_of == ("consent",)
    assert "default.no-rulebook" not in [step.clause for step in decision.trace]


@pytest.mark.parametrize(
    ("clauses", "clause", "message"),
    [
        pytest.param("\n  - id: xx.a\n    title: [unclosed\n", None, "not valid YAML",
                     id="yaml-syntax"),
        pytest.param(GOOD_CLAUSE.replace('"data.personal"', '"data.personal &&"'),
                     "xx.test.rule", "not valid CEL", id="cel-syntax"),
        pytest.param(GOOD_CLAUSE.replace('"data.personal"', '"data.persnal"'),
                     "xx.test.rule", "unknown field 'data.persnal'", id="cel-unknown-field"),
        pytest.param(GOOD_CLAUSE.replace('"data.personal"', '"dta.personal"'),
                     "xx.test.rule", "unknown variable 'dta'", id="cel-unknown-variable"),
        pytest.param(GOOD_CLAUSE.replace('"data.personal"', '"data.subjects + 1"'),
                     "xx.test.rule", "not true or false", id="cel-not-boolean"),
        pytest.param(GOOD_CLAUSE.replace('"data.personal"', "'\"on\" in \"contact\"'"),
                     "xx.test.rule", "evaluates differently", id="cel-type-mismatch"),
        pytest.param(GOOD_CLAUSE.replace("[consent]", "[handshake]"),
                     "xx.test.rule", "mechanisms.0", id="unknown-mechanism"),
        pytest.param(GOOD_CLAUSE.replace("effect: require", "effect: maybe"),
                     "xx.test.rule", "effect", id="unknown-effect"),
        pytest.param(GOOD_CLAUSE.replace("    citation: \"Test Act s1\"\n", ""),
                     "xx.test.rule", "citation", id="missing-citation"),
        pytest.param(GOOD_CLAUSE + "    effective_from: 2025-01-01\n    effective_to: 2024-01-01\n",
                     "xx.test.rule", "effective_to is before", id="dates-reversed"),
        pytest.param(GOOD_CLAUSE + GOOD_CLAUSE, None, "appears twice", id="duplicate-id"),
        pytest.param(GOOD_CLAUSE + "    colour: red\n", "xx.test.rule", "colour",
                     id="unknown-field"),
    ],
)  # fmt: skip
def test_bad_rulebook_names_file_and_clause(
    tmp_path: Path, clauses: str, clause: str | None, message: str
) -> None:
    path = write_rulebook(tmp_path, clauses)

    with pytest.raises(RulebookError) as raised:
        load_rulebooks(tmp_path)

    assert isinstance(raised.value, InvalidInput)
    assert raised.value.path == str(path)
    assert raised.value.clause == clause
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_clause_id_clashing_with_another_file_is_refused(tmp_path: Path) -> None:
    write_rulebook(tmp_path, GOOD_CLAUSE, name="a.yaml")
    write_rulebook(tmp_path, GOOD_CLAUSE, name="b.yaml")

    with pytest.raises(RulebookError, match="already used in"):
        load_rulebooks(tmp_path)


def test_clause_id_clashing_with_packaged_rulebook_is_refused(tmp_path: Path) -> None:
    write_rulebook(tmp_path, GOOD_CLAUSE.replace("xx.test.rule", "cn.scope.transit"))

    with pytest.raises(RulebookError, match=r"cn\.scope\.transit"):
        Assessor.from_directory(tmp_path)


def test_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match="not a directory"):
        load_rulebooks(tmp_path / "absent")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")

    with pytest.raises(RulebookError, match="expected a mapping"):
        load_rulebooks(tmp_path)


def test_condition_failing_on_a_request_raises_evaluation_error(
    tmp_path: Path,
    request_for,  # type: ignore[no-untyped-def]
) -> None:
    write_rulebook(
        tmp_path, GOOD_CLAUSE.replace('"data.personal"', '"data.categories[0] == \\"contact\\""')
    )
    assessor = Assessor(load_rulebooks(tmp_path))

    with pytest.raises(EvaluationError) as raised:
        assessor.assess(request_for(exporter="NZ", importer="AU", categories=()))

    assert raised.value.clause == "xx.test.rule"
    assert not isinstance(raised.value, InvalidInput)


def test_rulebook_built_in_code_is_checked_too() -> None:
    clause = Clause(id="xx.code", title="t", effect="note", condition="data.nope", citation="c")
    rulebook = Rulebook(id="xx", title="t", jurisdictions=("NZ",), clauses=(clause,))

    with pytest.raises(RulebookError, match=r"unknown field 'data\.nope'"):
        Assessor([rulebook])
