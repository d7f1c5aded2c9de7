"""Billing of a compute task, trust-driven suspension and restoration, the audit trail."""

from __future__ import annotations

import pytest

from silkgate.compute import TaskSpec
from silkgate.exchange import period_of, to_csv
from silkgate.gate import AccessRequest, Platform

pytestmark = pytest.mark.slow


def _compute_order(platform: Platform) -> str:
    decision = platform.gate.decide(AccessRequest(
        dataset_id="cn-gxic-outpatients", requester="sg-lionhealth", purpose="research",
        offer_id="cn-gxic-outpatients-std"))  # fmt: skip
    assert decision.verdict == "compute_only"
    assert decision.order_id is not None
    return decision.order_id


def test_a_compute_task_is_metered_invoiced_and_in_the_audit_trail(published: Platform) -> None:
    order_id = _compute_order(published)
    task = TaskSpec.model_validate({
        "id": "dp-cost", "kind": "dp_query",
        "inputs": [{"party": "cn-gxic", "dataset": "cn-gxic-outpatients",
                    "columns": ["费用_元"]}],
        "receivers": ["sg-lionhealth"], "privacy": {"epsilon": 1.0},
        "params": {"statistic": "mean", "bounds": [0, 5000]},
        "limits": {"time_s": 60}})  # fmt: skip
    [outcome] = published.compute(order_id, [task], actor="sg-lionhealth")
    assert outcome.state == "succeeded", outcome.error
    assert outcome.result is not None
    assert "value" in outcome.result
    usage = published.exchange.billing.usage(party="sg-lionhealth")
    invoice = published.exchange.billing.invoice("sg-lionhealth", period_of(usage[0].at))
    assert invoice.total >= usage[0].amount.quantize(invoice.total) > 0
    trail = published.exchange.audit.for_dataset("cn-gxic-outpatients")
    actions = [e.action for e in trail]
    assert actions[0] == "registered"
    assert "computed (dp)" in actions
    assert "invoice anchored" in actions
    steps = [a for a in actions if a.startswith("order ")]
    assert steps == ["order requested", "order offered", "order agreed", "order finalized"]
    assert any(invoice.document_hash in e.detail for e in trail)
    assert to_csv(trail).splitlines()[0].startswith("at,source,dataset_id")


def test_low_trust_suspends_grants_on_the_ledger_and_recovery_restores_them(
    published: Platform,
) -> None:
    order_id = _compute_order(published)
    trust = published.exchange.trust
    for _ in range(5):
        score = trust.signal("sg-lionhealth", "alert", {"why": "bulk exfiltration"})
    assert score.suspended
    assert score.suspended_grants
    order = published.exchange.orders.order(order_id)
    grant = published.exchange.ledger.grant_record(order.dataset_id, order.grant_id or "")
    assert grant is not None
    assert grant["status"] == "suspended"
    assert grant["suspension"].startswith("trust score ")
    for _ in range(5):
        score = trust.signal("sg-lionhealth", "alert_cleared")
    assert not score.suspended
    assert published.exchange.orders.order(order_id).grant_id == order.grant_id
    grant = published.exchange.ledger.grant_record(order.dataset_id, order.grant_id or "")
    assert grant is not None
    assert grant["status"] == "active"
    trail = [e.action for e in published.exchange.audit.for_dataset(order.dataset_id)]
    assert trail.index("grant suspended") < trail.index("grant restored")
