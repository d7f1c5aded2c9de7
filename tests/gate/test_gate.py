"""The one path, end to end on real ledger, vault and rules: each of the four verdicts."""

from __future__ import annotations

import pytest

from silkgate.gate import AccessRequest, Platform


def _ask(platform: Platform, dataset: str, requester: str, purpose: str, **extra: object):
    request = AccessRequest.model_validate(
        {
            "dataset_id": dataset,
            "requester": requester,
            "purpose": purpose,
            "offer_id": f"{dataset}-std",
            **extra,
        }
    )
    return platform.gate.decide(request)


def test_sg_data_to_cn_under_a_binding_contract_is_allowed_and_downloaded(
    published: Platform,
) -> None:
    decision = _ask(
        published, "sg-lionhealth-claims", "cn-gxic", "business", mechanisms=["binding_contract"]
    )
    assert decision.verdict == "allowed"
    assert decision.abac is not None
    assert decision.abac.allowed
    assert decision.citations
    got = published.download(decision.order_id or "", actor="cn-gxic")
    entry = published.exchange.catalog.entry("sg-lionhealth-claims")
    assert got.content_hash == entry.dataset.content_hash
    assert published.exchange.orders.order(decision.order_id or "").state == "finalized"


def test_cn_patient_data_needing_a_security_assessment_is_compute_only(
    published: Platform,
) -> None:
    decision = _ask(published, "cn-gxic-outpatients", "sg-lionhealth", "research")
    assert decision.verdict == "compute_only"
    assert "security_assessment" in decision.assessment.required_any_of
    order = published.exchange.orders.order(decision.order_id or "")
    assert order.state == "agreed"
    grant = published.exchange.ledger.grant_record(order.dataset_id, order.grant_id or "")
    assert grant is not None
    assert "download" not in grant["scopes"]


def test_vn_shipments_with_a_localisation_duty_are_conditional_until_the_dossier_is_filed(
    published: Platform,
) -> None:
    decision = _ask(published, "vn-mekonglog-shipments", "cn-gxic", "logistics")
    assert decision.verdict == "conditional"
    blocking = [o for o in decision.obligations if o.blocking]
    assert any("A05" in o.what for o in decision.obligations)
    for obligation in blocking:
        published.gate.meet_obligation(obligation.id, evidence="filing 2026-A05-0042")
    order = published.exchange.orders.order(decision.order_id or "")
    assert order.state == "agreed"


def test_a_request_the_owners_cedar_policy_forbids_is_denied(published: Platform) -> None:
    decision = _ask(
        published, "th-siampay-card-payments", "vn-mekonglog", "payment", mechanisms=["consent"]
    )
    assert decision.verdict == "denied"
    assert published.exchange.orders.order(decision.order_id or "").state == "terminated"


@pytest.mark.parametrize("verdict", ["denied"])
def test_every_decision_is_anchored_on_the_ledger(published: Platform, verdict: str) -> None:
    decision = _ask(published, "th-siampay-card-payments", "vn-mekonglog", "payment")
    trail = published.exchange.audit.for_dataset("th-siampay-card-payments")
    anchored = [e for e in trail if e.action == "decision anchored"]
    assert any(decision.document_hash in e.detail for e in anchored)
    assert decision.verdict == verdict
