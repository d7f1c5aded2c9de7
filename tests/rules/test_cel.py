"""CEL conditions: the compiled fast path agrees with cel-python's interpreter."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silkgate.domain import DataCategory, Mechanism, Mode, Purpose, TransferRequest
from silkgate.rules import load_rulebooks
from silkgate.rules._cel import ConditionSyntaxError, compile_condition
from silkgate.rules._facts import SCHEMA, activation, sample_activation
from silkgate.rules._loader import compile_clause_condition

CODES = ["CN", "SG", "MY", "TH", "VN", "ID", "PH", "BN", "KH", "LA", "MM", "EU", "US-CA", "US",
         "DE", "NO", "JP", "GB", "BR", "KR", "AU", "HK", "IN"]  # fmt: skip


@st.composite
def transfer_requests(draw: st.DrawFn) -> TransferRequest:
    subjects = draw(st.integers(0, 3_000_000))
    return TransferRequest.model_validate(
        {
            "exporter": {
                "jurisdiction": draw(st.sampled_from(CODES)),
                "ciio": draw(st.booleans()),
                "public_sector": draw(st.booleans()),
                "role": draw(st.sampled_from(["controller", "processor"])),
            },
            "importer": {
                "jurisdiction": draw(st.sampled_from(CODES)),
                "certifications": draw(
                    st.lists(st.sampled_from(["GLOBAL_CBPR", "APEC_PRP", "DPF", "ISO_27701"]))
                ),
                "related_entity": draw(st.booleans()),
                "same_controller": draw(st.booleans()),
            },
            "data": {
                "personal": draw(st.booleans()),
                "subjects": subjects,
                "sensitive_subjects": draw(st.integers(0, subjects)),
                "important_data": draw(st.booleans()),
                "core_data": draw(st.booleans()),
                "collected_abroad": draw(st.booleans()),
                "categories": draw(st.lists(st.sampled_from(get_args(DataCategory)))),
            },
            "purpose": draw(st.sampled_from(get_args(Purpose))),
            "mode": draw(st.sampled_from(get_args(Mode))),
            "mechanisms": draw(st.lists(st.sampled_from(get_args(Mechanism)))),
        }
    )


PACKAGED_CONDITIONS = sorted(
    {clause.condition for book in load_rulebooks() for clause in book.clauses}
)


def test_every_packaged_condition_takes_the_fast_path() -> None:
    slow = [c for c in PACKAGED_CONDITIONS if not compile_clause_condition(c).compiled]

    assert slow == []


@settings(max_examples=25, deadline=None)
@given(request=transfer_requests(), day=st.dates(dt.date(2021, 1, 1), dt.date(2027, 12, 31)))
def test_fast_path_agrees_with_cel_python(request: TransferRequest, day: dt.date) -> None:
    facts = activation(request, day)

    for text in PACKAGED_CONDITIONS:
        condition = compile_clause_condition(text)
        assert condition(facts) == condition.interpret(facts), text


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        pytest.param("data.subjects >= 100000 ? true : false", True, id="ternary"),
        pytest.param("data.subjects * 2 - 1 > data.sensitive_subjects + 3", True, id="arithmetic"),
        pytest.param("-data.subjects < 0", True, id="negation"),
        pytest.param("size(data.categories) == 1 && data.categories.size() == 1", True, id="size"),
        pytest.param('exporter.jurisdiction.startsWith("C") && importer.jurisdiction.endsWith("G")',
                     True, id="string-prefix-suffix"),
        pytest.param('"ont" in data.categories || "contact".contains("ont")', True,
                     id="in-and-contains"),
        pytest.param('data.categories.exists(c, c == "contact")', True, id="exists-macro"),
        pytest.param('data.categories.all(c, c in ["contact", "health"])', True, id="all-macro"),
        pytest.param('!(mode == "transfer") || purpose != "business"', True, id="not-parens"),
        pytest.param('as_of >= "2024-03-22"', True, id="date-as-iso-string"),
        pytest.param("data.subjects / 3 == 3", False, id="division-interpreted"),
        pytest.param("data.subjects % 2 == 0", False, id="modulo-interpreted"),
        pytest.param('data.categories.filter(c, c == "contact").size() == 1', False,
                     id="filter-macro-interpreted"),
        pytest.param('int("10") == data.subjects', False, id="conversion-interpreted"),
    ],
)  # fmt: skip
def test_subset_compiled_and_rest_interpreted_alike(text: str, fast: bool) -> None:
    facts = sample_activation()
    condition = compile_condition(text, SCHEMA)

    assert condition.compiled is fast
    assert condition(facts) == condition.interpret(facts)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("data.personal &&", id="dangling-operator"),
        pytest.param("__import__('os')", id="python-is-not-cel"),
        pytest.param("data.categories.exists(c, c.nope == 1) && data.subjectz > 1", id="typo"),
    ],
)
def test_invalid_conditions_are_refused(text: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        compile_condition(text, SCHEMA)


def test_condition_result_must_be_boolean() -> None:
    condition = compile_condition("data.subjects", SCHEMA)

    with pytest.raises(ValueError, match="not true or false"):
        condition(sample_activation())
