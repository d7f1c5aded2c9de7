from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from silkgate.domain import Decision, InvalidInput, TransferRequest, json_schemas

CONTRACT_REQUEST = {
    "exporter": {"jurisdiction": "CN", "ciio": False, "public_sector": False, "role": "controller"},
    "importer": {"jurisdiction": "SG", "certifications": ["GLOBAL_CBPR"], "related_entity": False,
                 "same_controller": False},
    "data": {"personal": True, "subjects": 150000, "sensitive_subjects": 0,
             "important_data": False, "core_data": False, "collected_abroad": False,
             "categories": ["contact", "health"]},
    "purpose": "business",
    "mode": "transfer",
    "mechanisms": ["standard_contract"],
    "date": "2026-03-01",
}  # fmt: skip


def test_contract_example_request_parses() -> None:
    request = TransferRequest.model_validate(CONTRACT_REQUEST)
    assert request.exporter.jurisdiction == "CN"
    assert request.data.categories == {"contact", "health"}
    assert request.date == dt.date(2026, 3, 1)


def test_unknown_jurisdiction_names_the_field() -> None:
    bad = {**CONTRACT_REQUEST, "importer": {"jurisdiction": "XX"}}
    with pytest.raises((ValidationError, InvalidInput), match=r"importer\.jurisdiction"):
        TransferRequest.model_validate(bad)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("purpose",), "marketing", id="purpose-not-in-vocabulary"),
        pytest.param(("mode",), "upload", id="mode-not-in-vocabulary"),
        pytest.param(("mechanisms",), ["handshake"], id="mechanism-unknown"),
        pytest.param(("data", "subjects"), -1, id="negative-subjects"),
        pytest.param(("data", "categories"), ["gossip"], id="category-unknown"),
        pytest.param(("data", "extra_field"), 1, id="unknown-field-forbidden"),
    ],
)
def test_bad_request_is_rejected(path: tuple[str, ...], value: object) -> None:
    request: dict[str, object] = {**CONTRACT_REQUEST, "data": dict(CONTRACT_REQUEST["data"])}  # type: ignore[arg-type]
    target = request
    for key in path[:-1]:
        target = target[key]  # type: ignore[assignment]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        TransferRequest.model_validate(request)


def test_sensitive_subjects_cannot_exceed_subjects() -> None:
    data = {**CONTRACT_REQUEST["data"], "subjects": 10, "sensitive_subjects": 11}  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="sensitive_subjects cannot exceed subjects"):
        TransferRequest.model_validate({**CONTRACT_REQUEST, "data": data})


def test_decision_dumps_the_contract_shape() -> None:
    decision = Decision.model_validate(
        {
            "is_transfer": True,
            "verdict": "conditional",
            "required_any_of": ["standard_contract", "certification"],
            "obligations": [{"id": "cn.scc.filing", "what": "file the standard contract",
                             "authority": "provincial CAC", "deadline_days": 10,
                             "citation": "Measures on the Standard Contract Art. 7"}],
            "citations": ["PIPL Art. 38"],
            "trace": [{"clause": "cn.2024.art8", "effect": "needs contract", "citation": "x"}],
        }
    )  # fmt: skip
    dumped = decision.model_dump(mode="json")
    assert set(dumped) >= {
        "is_transfer", "verdict", "required_any_of", "obligations", "citations",
        "alternatives", "trace",
    }  # fmt: skip
    assert dumped["obligations"][0]["deadline_days"] == 10


def test_allowed_decision_cannot_require_a_mechanism() -> None:
    with pytest.raises(ValidationError, match="requires no further mechanism"):
        Decision(is_transfer=True, verdict="allowed", required_any_of=("consent",))


def test_models_are_frozen() -> None:
    request = TransferRequest.model_validate(CONTRACT_REQUEST)
    with pytest.raises(ValidationError):
        request.purpose = "research"  # type: ignore[misc]


def test_json_schemas_cover_the_shared_models() -> None:
    schemas = json_schemas()
    assert set(schemas) == {"Dataset", "Decision", "Obligation", "Party", "TransferRequest"}
    verdict = schemas["Decision"]["properties"]["verdict"]
    assert verdict["enum"] == ["allowed", "conditional", "prohibited"]
