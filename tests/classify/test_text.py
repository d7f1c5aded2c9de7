"""Text records: offsets, files, and custom recognizers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from presidio_analyzer import Pattern, PatternRecognizer

from silkgate.classify import (
    LANGUAGE,
    Classifier,
    Identifier,
    InvalidRecognizer,
    TextReport,
    classify_text,
)


def test_offsets_are_python_string_offsets(classifier: Classifier) -> None:
    text = "😀 客户姓名：李娜，身份证11010519491231002X，邮箱 lina@example.cn"

    record = classifier.classify_text([("r1", text)]).records[0]

    spans = {e.type: text[e.start : e.end] for e in record.entities}
    assert spans["CN_RESIDENT_ID"] == "11010519491231002X"
    assert spans["EMAIL_ADDRESS"] == "lina@example.cn"
    assert spans["PERSON"] == "李娜"


def test_jsonl_text_file_gives_one_record_a_line(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    lines = [{"id": 1, "text": "NRIC S1234567D"}, {"id": "b", "text": "nothing here"}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")

    report = classifier.classify_path(path, format="text")

    assert isinstance(report, TextReport)
    dumped = report.model_dump(mode="json")
    assert dumped["kind"] == "text"
    assert [r["id"] for r in dumped["records"]] == [1, "b"]
    assert dumped["records"][0]["entities"] == [
        {"type": "SG_NRIC_FIN", "start": 5, "end": 14, "score": 1.0}
    ]
    assert dumped["records"][1]["entities"] == []


def test_txt_file_is_one_record_named_by_the_file(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_text("Email: a.b@example.org\n", encoding="utf-8")

    report = classifier.classify_path(path)

    assert isinstance(report, TextReport)
    assert report.records[0].id == "memo.txt"
    assert [e.type for e in report.records[0].entities] == ["EMAIL_ADDRESS"]


def test_module_function_uses_a_default_classifier() -> None:
    assert classify_text("IBAN GB82 WEST 1234 5698 7654 32").records[0].entities[0].type == (
        "IBAN_CODE"
    )


def test_custom_identifier_works_in_text_and_tables() -> None:
    classifier = Classifier()
    staff = Identifier(
        entity="STAFF_ID",
        category="employment",
        patterns=(r"EMP-\d{5}",),
        is_valid=lambda v: v.startswith("EMP") and v[-5:].isdigit(),
        score=0.9,
        compact=str.strip,
    )

    classifier.add_identifier(staff)

    text = classifier.classify_text("badge EMP-12345").records[0].entities
    assert [(e.type, e.start, e.end) for e in text] == [("STAFF_ID", 6, 15)]
    import pandas as pd

    table = classifier.classify_table(pd.DataFrame({"badge": ["EMP-00001", "EMP-00002"]}))
    assert table.columns["badge"].entities == {"STAFF_ID": 1.0}
    assert table.columns["badge"].category == "employment"


def test_custom_presidio_recognizer_is_registered() -> None:
    classifier = Classifier()
    classifier.add_recognizer(
        PatternRecognizer(
            supported_entity="TICKET",
            patterns=[Pattern("ticket", r"TKT#\d{4}", 0.8)],
            supported_language=LANGUAGE,
        )
    )

    entities = classifier.classify_text("see TKT#1234").records[0].entities

    assert [e.type for e in entities] == ["TICKET"]


def test_recognizer_of_another_language_is_refused() -> None:
    recognizer = PatternRecognizer(
        supported_entity="TICKET", patterns=[Pattern("t", r"T\d", 0.8)], supported_language="en"
    )

    with pytest.raises(InvalidRecognizer, match="supported_language"):
        Classifier().add_recognizer(recognizer)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        pytest.param("entity", {"entity": "bad name"}, id="entity-name"),
        pytest.param("category", {"category": "secret"}, id="category"),
        pytest.param("score", {"score": 0.0}, id="score"),
    ],
)
def test_malformed_identifier_is_refused(field: str, kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "entity": "X_ID",
        "category": "identifier",
        "patterns": ("X\\d+",),
        "is_valid": bool,
        "score": 0.5,
    }

    with pytest.raises(InvalidRecognizer) as error:
        Identifier(**{**base, **kwargs})  # type: ignore[arg-type]

    assert error.value.field == field
