from __future__ import annotations

import pytest

from silkgate.domain import InvalidInput, jurisdiction


@pytest.mark.parametrize(
    ("code", "blocs"),
    [
        pytest.param("CN", {"RCEP", "APEC"}, id="china"),
        pytest.param("SG", {"ASEAN", "RCEP", "APEC", "GLOBAL_CBPR"}, id="singapore"),
        pytest.param("VN", {"ASEAN", "RCEP", "APEC"}, id="vietnam"),
        pytest.param("MM", {"ASEAN", "RCEP"}, id="myanmar"),
        pytest.param("DE", {"EU", "EEA"}, id="germany"),
        pytest.param("NO", {"EEA"}, id="norway-eea-not-eu"),
        pytest.param("EU", {"EU", "EEA"}, id="eu-as-a-whole"),
        pytest.param("US-CA", {"APEC", "GLOBAL_CBPR"}, id="california"),
        pytest.param("BR", set(), id="brazil-no-bloc"),
    ],
)
def test_memberships(code: str, blocs: set[str]) -> None:
    assert jurisdiction(code).memberships == blocs


def test_lower_case_code_is_normalised() -> None:
    assert jurisdiction(" th ").code == "TH"


@pytest.mark.parametrize("code", ["XX", "CHN", "", "US-NY"])
def test_unknown_code_names_what_is_accepted(code: str) -> None:
    with pytest.raises(InvalidInput, match="is not ISO 3166-1 alpha-2, EU or US-CA") as caught:
        jurisdiction(code, field="exporter.jurisdiction")
    assert caught.value.field == "exporter.jurisdiction"
    assert str(caught.value).startswith("exporter.jurisdiction: ")
