"""The package interface: exports, the contract's JSON shape, explain, the lazy default."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from typing import Any

import silkgate.rules
from silkgate.domain import SilkgateError, TransferRequest
from silkgate.rules import Assessor, EvaluationError, RulebookError, RulesError, assess, explain

CONTRACT_REQUEST = """
{
  "exporter": {"jurisdiction": "CN", "ciio": false, "public_sector": false, "role": "controller"},
  "importer": {"jurisdiction": "SG", "certifications": ["GLOBAL_CBPR"], "related_entity": false,
               "same_controller": false},
  "data": {"personal": true, "subjects": 150000, "sensitive_subjects": 0,
           "important_data": false, "core_data": false, "collected_abroad": false,
           "categories": ["contact", "health"]},
  "purpose": "business",
  "mode": "transfer",
  "mechanisms": ["standard_contract"],
  "date": "2026-03-01"
}
"""


def test_all_is_sorted_complete_and_public() -> None:
    exported = silkgate.rules.__all__

    assert exported == sorted(exported)
    assert not [name for name in exported if name.startswith("_")]
    assert all(hasattr(silkgate.rules, name) for name in exported)


def test_errors_sit_under_the_silkgate_root() -> None:
    assert issubclass(RulebookError, SilkgateError)
    assert issubclass(RulesError, SilkgateError)
    assert issubclass(EvaluationError, RulesError)


def test_contract_example_serialises_to_the_contract_shape() -> None:
    request = TransferRequest.model_validate_json(CONTRACT_REQUEST)

    body = json.loads(json.dumps(assess(request).model_dump(mode="json")))

    assert {"is_transfer", "verdict", "required_any_of", "obligations", "citations",
            "alternatives", "trace"} <= set(body)  # fmt: skip
    assert (body["is_transfer"], body["verdict"], body["required_any_of"]) == (True, "allowed", [])
    filing = next(o for o in body["obligations"] if o["id"] == "cn.scc.filing")
    assert (filing["authority"], filing["deadline_days"]) == ("provincial CAC", 10)
    assert set(filing) == {"id", "what", "authority", "deadline_days", "citation"}
    assert all(set(step) == {"clause", "effect", "citation"} for step in body["trace"])


def test_explain_reads_verdict_requirements_and_reasons(request_for: Any) -> None:
    decision = assess(request_for(exporter="EU", importer="CN", purpose="research"))

    text = explain(decision)

    assert text.startswith("CONDITIONAL")
    assert "Required, any one of: scc, bcr, certification, binding_contract" in text
    assert "Alternatives: compute_only" in text
    assert "eu.art46.safeguards" in text
    assert "GDPR Arts. 44, 46, 47" in text


def test_explain_says_when_there_is_no_transfer(request_for: Any) -> None:
    text = explain(assess(request_for(exporter="DE", importer="FR")))

    assert text.startswith("NOT A CROSS-BORDER TRANSFER")


def test_module_assess_reuses_one_assessor() -> None:
    first = silkgate.rules.default_assessor()

    assert silkgate.rules.default_assessor() is first
    assert isinstance(first, Assessor)


def test_docstring_example_runs() -> None:
    result = doctest.testmod(silkgate.rules, verbose=False)

    assert result.failed == 0
    assert result.attempted > 0


def test_import_builds_nothing() -> None:
    script = "import silkgate.rules as rules; assert rules._default is None"

    completed = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True)

    assert completed.returncode == 0, completed.stderr.decode()
