"""Obligations attached to decisions: which appear, with authority and deadline."""

from __future__ import annotations

from typing import Any

import pytest

from silkgate.rules import Assessor


@pytest.mark.parametrize(
    ("overrides", "obligation", "authority", "deadline_days"),
    [
        pytest.param(
            {"subjects": 150_000, "mechanisms": ("standard_contract",)},
            "cn.scc.filing", "provincial CAC", 10,
            id="cn-standard-contract-filed-in-10-working-days",
        ),
        pytest.param(
            {"subjects": 150_000},
            "cn.scc.filing", "provincial CAC", 10, id="cn-filing-shown-while-contract-is-required",
        ),
        pytest.param(
            {"subjects": 2_000_000, "mechanisms": ("security_assessment",)},
            "cn.assessment.validity", "CAC", 1095, id="cn-assessment-valid-3-years",
        ),
        pytest.param(
            {"subjects": 2_000_000, "mechanisms": ("security_assessment",), "date": "2023-06-01"},
            "cn.assessment.validity-2022", "CAC via the provincial CAC", 730,
            id="cn-assessment-valid-2-years-before-2024",
        ),
        pytest.param(
            {"exporter": "VN", "mechanisms": ("tia",)},
            "vn.d13.dossier-filing",
            "Ministry of Public Security, Department of Cybersecurity and High-Tech Crime "
            "Prevention (A05)",
            60, id="vn-decree13-dossier-to-a05-in-60-days",
        ),
        pytest.param(
            {"exporter": "VN", "mechanisms": ("tia",), "date": "2026-02-01"},
            "vn.pdpl.dossier-filing", "Ministry of Public Security (A05)", 60,
            id="vn-pdpl-dossier-in-60-days",
        ),
        pytest.param(
            {"exporter": "PH", "importer": "US"},
            "ph.dpa.comparable-protection", "National Privacy Commission", None,
            id="ph-contractual-means-for-comparable-protection",
        ),
        pytest.param(
            {"exporter": "EU", "importer": "IN", "mechanisms": ("scc",)},
            "eu.art46.tia-scc", None, None, id="eu-scc-needs-transfer-impact-assessment",
        ),
    ],
)  # fmt: skip
def test_obligation_attached(
    assessor: Assessor,
    request_for: Any,
    overrides: dict[str, Any],
    obligation: str,
    authority: str | None,
    deadline_days: int | None,
) -> None:
    decision = assessor.assess(request_for(**overrides))

    found = {o.id: o for o in decision.obligations}
    assert obligation in found
    assert (found[obligation].authority, found[obligation].deadline_days) == (
        authority,
        deadline_days,
    )
    assert found[obligation].citation in decision.citations


def test_filing_obligation_absent_when_another_route_is_used(
    assessor: Assessor, request_for: Any
) -> None:
    decision = assessor.assess(request_for(subjects=150_000, mechanisms=("certification",)))

    assert decision.verdict == "allowed"
    assert "cn.scc.filing" not in {o.id for o in decision.obligations}


def test_waived_requirement_brings_no_obligation(assessor: Assessor, request_for: Any) -> None:
    decision = assessor.assess(request_for(subjects=2_000_000, purpose="hr_management"))

    assert decision.verdict == "allowed"
    assert "cn.assessment.validity" not in {o.id for o in decision.obligations}
    assert "cn.pipl.notice" in {o.id for o in decision.obligations}
