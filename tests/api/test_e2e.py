"""End to end through the REST API of a real `silkgate serve` process on a loopback socket.

Owners publish the four demo datasets with an offer each under their own tokens; consumers
in other countries ask for them under theirs. Each of the four verdicts, the billing of a
compute task, trust-driven suspension and restoration of the same ledger grant (its states
``suspended`` and ``active`` in the audit trail), and one dataset's audit trail from
registration to invoice are read back through the API.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.api._live import Live, live_server

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

PATIENTS = "cn-gxic-outpatients"
CLAIMS = "sg-lionhealth-claims"
SHIPMENTS = "vn-mekonglog-shipments"
PAYMENTS = "th-siampay-card-payments"
OWNERS = {PATIENTS: "cn-gxic", CLAIMS: "sg-lionhealth", SHIPMENTS: "vn-mekonglog",
          PAYMENTS: "th-siampay"}  # fmt: skip
RESEARCH_CBPR = """permit(principal, action, resource) when {
    context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR")
};"""
MEMBERS = "permit(principal, action, resource);"
FORBID_VN = 'forbid(principal, action, resource) when { principal.country == "VN" };'
POLICIES = {
    PATIENTS: {"research-cbpr": RESEARCH_CBPR},
    CLAIMS: {"members": MEMBERS},
    SHIPMENTS: {"members": MEMBERS},
    PAYMENTS: {"members": MEMBERS, "card-scheme-territory": FORBID_VN},
}
TOKENS = {
    **{f"owner:{party}": (["data_owner"], party) for party in OWNERS.values()},
    **{f"consumer:{party}": (["data_consumer"], party)
       for party in ("cn-gxic", "sg-lionhealth", "vn-mekonglog")},
    "auditor": (["auditor"], None),
    "regulator": (["regulator"], None),
}  # fmt: skip


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("e2e") / "home"
    with live_server(home) as server:
        for who, (roles, party) in TOKENS.items():
            body = {"label": who, "roles": roles, "party_id": party}
            issued = server.call("admin", "POST", "/tokens", json=body)
            assert issued.status_code == 201, issued.text
            server.tokens[who] = issued.json()["token"]
        yield server


@pytest.fixture(scope="module")
def published(live: Live) -> dict[str, dict[str, Any]]:
    """Each owner publishes its dataset and one offer with its own token."""
    answers: dict[str, dict[str, Any]] = {}
    for dataset_id, owner in OWNERS.items():
        entry = live.call(f"owner:{owner}", "POST", "/catalog", json={
            "dataset_id": dataset_id, "name": dataset_id, "path": live.files[dataset_id],
            "policies": POLICIES[dataset_id]})  # fmt: skip
        offer = live.call(f"owner:{owner}", "POST", "/offers", json={
            "id": f"{dataset_id}-std", "dataset_id": dataset_id,
            "policy": {"purposes": ["research", "business", "logistics", "payment"],
                       "compute_kinds": ["psi", "dp_query"], "dp_epsilon": 1.0,
                       "price": {"currency": "USD", "per_download": "120.00",
                                 "per_task": "15.50", "per_cpu_second": "0.02"}}})  # fmt: skip
        answers[dataset_id] = {
            "entry": entry.status_code,
            "offer": offer.status_code,
            "offer_owner": offer.json().get("owner"),
            **entry.json(),
        }
    return answers


def _ask(
    live: Live, consumer: str, dataset_id: str, purpose: str, mechanisms: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Ask as the consumer's token; read the decision back by its id."""
    asked = live.call(f"consumer:{consumer}", "POST", "/requests", json={
        "dataset_id": dataset_id, "requester": consumer, "purpose": purpose,
        "mechanisms": list(mechanisms), "offer_id": f"{dataset_id}-std"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    read = live.call(f"consumer:{consumer}", "GET", f"/decisions/{asked.json()['id']}")
    assert read.status_code == 200, read.text
    decision: dict[str, Any] = read.json()
    assert decision == asked.json()
    return decision


def _published_by_owner(published: dict[str, dict[str, Any]], dataset_id: str) -> None:
    answer = published[dataset_id]
    assert (answer["entry"], answer["offer"]) == (201, 201)
    assert answer["dataset"]["owner"] == answer["offer_owner"] == OWNERS[dataset_id]
    assert answer["ledger_tx"]


def _order(live: Live, who: str, order_id: str) -> dict[str, Any]:
    found = live.call(who, "GET", f"/orders/{order_id}")
    assert found.status_code == 200, found.text
    order: dict[str, Any] = found.json()
    return order


def _dp_task(task_id: str) -> dict[str, Any]:
    return {"id": task_id, "kind": "dp_query",
            "inputs": [{"party": "cn-gxic", "dataset": PATIENTS, "columns": ["费用_元"]}],
            "receivers": ["sg-lionhealth"], "privacy": {"epsilon": 0.5},
            "params": {"statistic": "mean", "bounds": [0, 5000]},
            "limits": {"time_s": 120}}  # fmt: skip


def _compute(live: Live, order_id: str, task_id: str) -> dict[str, Any]:
    done = live.call("consumer:sg-lionhealth", "POST", f"/orders/{order_id}/compute",
                     json={"tasks": [_dp_task(task_id)]})  # fmt: skip
    assert done.status_code == 200, done.text
    [outcome] = done.json()
    assert outcome["state"] == "succeeded", outcome["error"]
    result: dict[str, Any] = outcome
    return result


def _sha256(path: str) -> str:
    with Path(path).open("rb") as content:
        return hashlib.file_digest(content, "sha256").hexdigest()


# the four verdicts -----------------------------------------------------------------------------
def test_cn_patient_data_over_the_assessment_threshold_is_compute_only(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, PATIENTS)
    assert published[PATIENTS]["report"]["sensitive_subjects"] >= 10_000

    decision = _ask(live, "sg-lionhealth", PATIENTS, "research")

    assert decision["verdict"] == "compute_only"
    assert decision["request"]["data"]["sensitive_subjects"] >= 10_000
    assert "security_assessment" in decision["assessment"]["required_any_of"]
    assert any("Provisions (2024) Art. 7" in c for c in decision["citations"])
    assert decision["abac"]["allowed"]
    assert _order(live, "consumer:sg-lionhealth", decision["order_id"])["state"] == "agreed"


def test_sg_claims_to_cn_under_a_binding_contract_are_allowed_and_downloaded(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, CLAIMS)

    decision = _ask(live, "cn-gxic", CLAIMS, "business", ("binding_contract",))

    assert decision["verdict"] == "allowed"
    assert decision["citations"]
    got = live.call("consumer:cn-gxic", "POST", f"/orders/{decision['order_id']}/download")
    assert got.status_code == 200, got.text
    download = got.json()
    assert download["content_hash"] == published[CLAIMS]["dataset"]["content_hash"]
    assert _sha256(download["path"]) == download["content_hash"]


def test_vn_manifests_are_conditional_until_the_a05_dossier_is_filed(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, SHIPMENTS)

    decision = _ask(live, "cn-gxic", SHIPMENTS, "logistics")

    assert decision["verdict"] == "conditional"
    assert decision["citations"]
    blocking = [o for o in decision["obligations"] if o["blocking"]]
    dossier = [o for o in blocking if "A05" in o["what"]]
    assert dossier
    assert all(o["due_at"] and o["status"] == "open" for o in blocking)
    order_id = decision["order_id"]
    early = live.call("consumer:cn-gxic", "POST", f"/orders/{order_id}/download")
    assert early.status_code == 409
    for obligation in blocking:
        met = live.call("owner:vn-mekonglog", "POST", f"/obligations/{obligation['id']}/meet",
                        json={"evidence": "A05 receipt TIA-2026-0042"})  # fmt: skip
        assert met.status_code == 200, met.text
    assert _order(live, "consumer:cn-gxic", order_id)["state"] == "agreed"


def test_th_payments_to_a_member_in_vn_are_denied_by_the_owners_cedar_policy(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, PAYMENTS)

    decision = _ask(live, "vn-mekonglog", PAYMENTS, "payment", ("consent",))

    assert decision["verdict"] == "denied"
    assert decision["assessment"]["verdict"] == "allowed"
    assert decision["abac"]["allowed"] is False
    assert decision["citations"]
    assert _order(live, "consumer:vn-mekonglog", decision["order_id"])["state"] == "terminated"


# billing, trust, audit -------------------------------------------------------------------------
def test_a_compute_task_is_metered_and_invoiced(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, PATIENTS)
    decision = _ask(live, "sg-lionhealth", PATIENTS, "research")
    outcome = _compute(live, decision["order_id"], "e2e-dp-billed")
    assert "value" in outcome["result"]

    usage = live.call("consumer:sg-lionhealth", "GET", "/usage").json()
    [record] = [u for u in usage if u["source"] == "e2e-dp-billed"]
    assert record["kind"] == "compute:dp_query"
    assert Decimal(record["amount"]) >= Decimal("15.50")
    made = live.call("admin", "POST", "/invoices",
                     json={"party": "sg-lionhealth", "period": record["at"][:7]})  # fmt: skip
    assert made.status_code == 201, made.text

    invoice = made.json()
    assert any(line["kind"] == "compute:dp_query" for line in invoice["lines"])
    assert Decimal(invoice["total"]) >= Decimal(record["amount"]).quantize(Decimal("0.01"))
    assert invoice["ledger_txs"]
    mine = live.call("consumer:sg-lionhealth", "GET", "/invoices").json()
    assert invoice["id"] in {i["id"] for i in mine}
    usage = live.call("consumer:sg-lionhealth", "GET", "/usage").json()
    assert {u["invoice_id"] for u in usage if u["source"] == "e2e-dp-billed"} == {invoice["id"]}


def test_low_trust_suspends_a_partys_grants_and_recovery_restores_them(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, CLAIMS)
    decision = _ask(live, "cn-gxic", CLAIMS, "business", ("binding_contract",))
    order_id = decision["order_id"]

    signals = "/trust/cn-gxic/signals"
    alert = {"kind": "alert", "detail": {"why": "bulk transfer at night"}}
    for _ in range(5):
        low = live.call("regulator", "POST", signals, json=alert)
    refused = live.call("consumer:cn-gxic", "POST", f"/orders/{order_id}/download")
    for _ in range(5):
        high = live.call("regulator", "POST", signals, json={"kind": "alert_cleared"})
    again = live.call("consumer:cn-gxic", "POST", f"/orders/{order_id}/download")

    assert low.status_code == 200, low.text
    assert low.json()["suspended"]
    assert low.json()["suspended_grants"]
    assert refused.status_code == 403
    assert high.json()["suspended"] is False
    scores = {s["party"]: s for s in live.call("auditor", "GET", "/trust").json()}
    assert scores["cn-gxic"]["suspended"] is False
    assert again.status_code == 200, again.text
    assert _sha256(again.json()["path"]) == published[CLAIMS]["dataset"]["content_hash"]
    grant_id = _order(live, "consumer:cn-gxic", order_id)["grant_id"]
    assert grant_id == decision["abac"]["request_id"]
    trail = live.call("auditor", "GET", f"/audit/datasets/{CLAIMS}").json()
    details = [(e["action"], json.loads(e["detail"])) for e in trail if e["source"] == "ledger"]
    states = [(action, d.get("status")) for action, d in details
              if d.get("id") == grant_id and not action.startswith("requested")]  # fmt: skip
    assert states == [("granted", "active"), ("grant suspended", "suspended"),
                      ("grant restored", "active")]  # fmt: skip


def test_the_audit_trail_of_a_dataset_runs_from_registration_to_invoice(
    live: Live, published: dict[str, dict[str, Any]]
) -> None:
    _published_by_owner(published, PATIENTS)
    decision = _ask(live, "sg-lionhealth", PATIENTS, "research")
    _compute(live, decision["order_id"], "e2e-dp-audited")
    usage = live.call("consumer:sg-lionhealth", "GET", "/usage").json()
    [record] = [u for u in usage if u["source"] == "e2e-dp-audited"]
    period = {"party": "sg-lionhealth", "period": record["at"][:7]}
    invoice = live.call("admin", "POST", "/invoices", json=period).json()

    as_json = live.call("auditor", "GET", f"/audit/datasets/{PATIENTS}")
    as_csv = live.call("auditor", "GET", f"/audit/datasets/{PATIENTS}", params={"format": "csv"})

    assert as_json.status_code == as_csv.status_code == 200
    trail = as_json.json()
    actions = [e["action"] for e in trail]
    assert actions[0] == "registered"
    for step in ("policy set", "offer anchored", "decision anchored", "granted",
                 "computed (dp)", "metered compute:dp_query", "invoice anchored"):  # fmt: skip
        assert step in actions, step
    invoiced = [e["action"] == "invoice anchored" and invoice["document_hash"] in e["detail"]
                for e in trail]  # fmt: skip
    anchored = [i for i, yes in enumerate(invoiced) if yes]
    assert anchored
    assert anchored[-1] > actions.index("computed (dp)")
    assert decision["document_hash"] in " ".join(e["detail"] for e in trail)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["action"] for r in rows] == actions
