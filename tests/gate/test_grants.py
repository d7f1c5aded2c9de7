"""Grants as the gate uses them: one Cedar answer per compute kind, suspension stops use."""

from __future__ import annotations

import pytest

from silkgate.compute import TaskSpec
from silkgate.domain import AccessDenied
from silkgate.gate import AccessRequest, LedgerGrants, Platform, ledger_blocks

pytestmark = pytest.mark.slow

PATIENTS = "cn-gxic-outpatients"
CLAIMS = "sg-lionhealth-claims"
NO_DP = 'forbid(principal, action == Action::"compute:dp", resource);'


def _dp_task(task_id: str) -> TaskSpec:
    return TaskSpec.model_validate({
        "id": task_id, "kind": "dp_query",
        "inputs": [{"party": "cn-gxic", "dataset": PATIENTS, "columns": ["费用_元"]}],
        "receivers": ["sg-lionhealth"], "privacy": {"epsilon": 1.0},
        "params": {"statistic": "mean", "bounds": [0, 5000]},
        "limits": {"time_s": 60}})  # fmt: skip


def test_each_compute_kind_is_authorised_and_a_kind_not_granted_is_refused(
    published: Platform,
) -> None:
    published.exchange.ledger.set_policy("cn-gxic", PATIENTS, "no-dp", NO_DP)

    decision = published.gate.decide(AccessRequest(
        dataset_id=PATIENTS, requester="sg-lionhealth", purpose="research",
        offer_id=f"{PATIENTS}-std"))  # fmt: skip

    assert decision.verdict == "compute_only"
    assert decision.abac is not None
    assert decision.abac.scopes == ("compute:dp", "compute:psi")
    assert decision.abac.allowed_scopes == ("compute:psi",)
    order = published.exchange.orders.order(decision.order_id or "")
    grant = published.exchange.ledger.grant_record(PATIENTS, order.grant_id or "")
    assert grant is not None
    assert grant["scopes"] == ["compute:psi"]
    grants = LedgerGrants(published.exchange.ledger)
    assert grants.allows(grantee="sg-lionhealth", dataset=PATIENTS, kind="psi")
    assert not grants.allows(grantee="sg-lionhealth", dataset=PATIENTS, kind="dp_query")
    with pytest.raises(AccessDenied, match="does not allow compute:dp now"):
        published.compute(order.id, [_dp_task("dp-not-granted")], actor="sg-lionhealth")
    assert published.exchange.billing.usage(party="sg-lionhealth") == []


def test_a_suspended_grant_cannot_be_used_to_download_until_restored(
    published: Platform,
) -> None:
    decision = published.gate.decide(AccessRequest(
        dataset_id=CLAIMS, requester="cn-gxic", purpose="business",
        mechanisms=frozenset({"binding_contract"}), offer_id=f"{CLAIMS}-std"))  # fmt: skip
    assert decision.verdict == "allowed"
    order = published.exchange.orders.order(decision.order_id or "")
    grant_id = order.grant_id or ""
    ledger = published.exchange.ledger

    ledger.suspend("sg-lionhealth", CLAIMS, grant_id, "under investigation")

    with pytest.raises(AccessDenied, match=r"\(suspended; .*does not allow download now"):
        published.download(order.id, actor="cn-gxic")
    peers = published.consortium().peers.values()
    assert not any(p.is_granted(grant_id, CLAIMS, "", "download") for p in peers)
    ledger.restore("sg-lionhealth", CLAIMS, grant_id)
    got = published.download(order.id, actor="cn-gxic")
    assert got.content_hash == published.exchange.catalog.entry(CLAIMS).dataset.content_hash
    explored = [t for b in reversed(ledger_blocks(published, 40)) for t in b["transactions"]]
    steps = [t["summary"] for t in explored if t["function"] in ("order", "suspend", "restore")]
    assert steps[-6:] == [
        f"order {order.id} → requested on {CLAIMS}",
        f"order {order.id} → offered on {CLAIMS}",
        f"order {order.id} → agreed on {CLAIMS}",
        f"grant {grant_id} on {CLAIMS}: under investigation",
        f"grant {grant_id} on {CLAIMS}",
        f"order {order.id} → finalized on {CLAIMS}",
    ]


def test_recovery_does_not_restore_a_grant_the_owners_policy_no_longer_allows(
    published: Platform,
) -> None:
    decision = published.gate.decide(AccessRequest(
        dataset_id=CLAIMS, requester="cn-gxic", purpose="business",
        mechanisms=frozenset({"binding_contract"}), offer_id=f"{CLAIMS}-std"))  # fmt: skip
    grant_id = published.exchange.orders.order(decision.order_id or "").grant_id or ""
    trust, ledger = published.exchange.trust, published.exchange.ledger
    for _ in range(5):
        trust.signal("cn-gxic", "alert", {"why": "bulk transfer at night"})
    assert (ledger.grant_record(CLAIMS, grant_id) or {})["status"] == "suspended"
    no_cn = 'forbid(principal, action, resource) when { principal.country == "CN" };'
    ledger.set_policy("sg-lionhealth", CLAIMS, "no-cn", no_cn)

    for _ in range(5):
        score = trust.signal("cn-gxic", "alert_cleared")

    assert not score.suspended
    assert (ledger.grant_record(CLAIMS, grant_id) or {})["status"] == "revoked"
    with pytest.raises(AccessDenied, match=r"\(revoked; "):
        published.download(decision.order_id or "", actor="cn-gxic")
