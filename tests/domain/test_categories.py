from __future__ import annotations

import pytest

from silkgate.domain import (
    CATEGORIES,
    SENSITIVE_KINDS,
    grade_of,
    grade_rank,
    highest_grade,
    is_personal,
    is_sensitive,
)


def test_every_pipl_art28_kind_is_sensitive_and_graded_highest_general() -> None:
    assert set(SENSITIVE_KINDS) == {
        "biometric", "religious_belief", "specific_identity", "health",
        "financial_account", "whereabouts", "minor_under_14",
    }  # fmt: skip
    for kind in SENSITIVE_KINDS:
        info = CATEGORIES[kind]
        assert info.is_sensitive
        assert info.is_personal
        assert info.grade == "general_4"
        assert info.asean_dmf_tier == "restricted"
        assert "PIPL Art. 28" in info.citation


@pytest.mark.parametrize(
    ("categories", "grade"),
    [
        pytest.param(["public"], "general_1", id="public-only"),
        pytest.param(["contact", "business"], "general_3", id="personal-over-business"),
        pytest.param(["contact", "health"], "general_4", id="sensitive-dominates"),
        pytest.param(["health", "important_data"], "important", id="important-over-personal"),
        pytest.param(["important_data", "core_data"], "core", id="core-highest"),
        pytest.param([], "general_1", id="nothing"),
    ],
)
def test_grade_of_is_the_highest(categories: list[str], grade: str) -> None:
    assert grade_of(categories) == grade  # type: ignore[arg-type]


def test_grades_are_ordered_lowest_first() -> None:
    assert grade_rank("general_1") < grade_rank("general_4") < grade_rank("important")
    assert highest_grade(["general_2", "core", "important"]) == "core"


def test_public_and_business_data_are_not_personal() -> None:
    assert not is_personal("public")
    assert not is_personal("business")
    assert is_personal("contact")
    assert not is_sensitive("contact")
