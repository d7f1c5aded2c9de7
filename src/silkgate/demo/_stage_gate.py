"""The demo's gate stage: four requests through the one path, and what follows each verdict.

Each owner publishes its sample (classification from the cache, sealed in the vault,
registered on the ledger with its Cedar policies) with one offer; then four requests go
through ``platform.gate.decide``, which alone picks each verdict:

- sg-lionhealth (SG) asks for cn-gxic's outpatient visits for research. When the classified
  file names 10,000 or more individuals with sensitive data, the CAC security assessment is
  required and the gate answers ``compute_only``: a PSI of SG's study cohort with the
  patients (SG learns only the size; the intersection stays at the two nodes, ``keep``) and
  two DP statistics over the intersection's visits, which cn-gxic's node restricts its
  rows to (``within``); only results leave.
- cn-gxic (CN) asks for sg-lionhealth's claims under a binding contract: ``allowed``; a
  majority of the peers' proxies re-encrypt the data key and the received file must hash to
  the ledger's content hash.
- cn-gxic asks for vn-mekonglog's parcel manifests for logistics: ``conditional`` on the
  transfer impact dossier filed with A05, an obligation with its deadline; once the owner
  files it the order is agreed.
- vn-mekonglog asks for th-siampay's card payments: the law allows it, the owner's Cedar
  policy forbids members in VN: ``denied``.

Then the usage is invoiced (each invoice's hash on the ledger), the CN dataset's audit trail
is exported as JSON and CSV under ``HOME/audit``, and the trust scores are read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from silkgate.compute import TaskSpec
from silkgate.demo._identifiers import cn_resident_ids
from silkgate.demo._samples import ICD10_CODES, Sample
from silkgate.domain import Mechanism, Purpose
from silkgate.exchange import (
    OfferRequest,
    Price,
    UsagePolicy,
    period_of,
    to_csv,
    to_json,
)
from silkgate.gate import AccessRequest, GateDecision, Platform

CN, SG, VN, TH = "cn-gxic", "sg-lionhealth", "vn-mekonglog", "th-siampay"
PATIENTS = "cn-gxic-outpatients"
COHORT = "sg-lionhealth-cohort"
COHORT_PSI = "cohort-psi"
WITHIN_COHORT = {"task": COHORT_PSI, "column": "身份证号"}

PERMIT_RESEARCH_CBPR = """permit(principal, action, resource) when {
    context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR")
};"""
PERMIT_MEMBERS = "permit(principal, action, resource);"
FORBID_VN = 'forbid(principal, action, resource) when { principal.country == "VN" };'
POLICIES: dict[str, dict[str, str]] = {
    CN: {"research-cbpr": PERMIT_RESEARCH_CBPR},
    SG: {"members": PERMIT_MEMBERS},
    VN: {"members": PERMIT_MEMBERS},
    TH: {"members": PERMIT_MEMBERS, "card-scheme-territory": FORBID_VN},
}
CURRENCY = {CN: "CNY", SG: "SGD", VN: "VND", TH: "THB"}


@dataclass(frozen=True, slots=True)
class Ask:
    """One request of the story: who asks for whose dataset, why, with what in place."""

    dataset_id: str
    requester: str
    purpose: Purpose
    story: str
    mechanisms: tuple[Mechanism, ...] = ()
    evidence: str | None = None
    """What the owner files when the verdict is conditional (nothing: it files nothing)."""


ASKS: tuple[Ask, ...] = (
    Ask(PATIENTS, SG, "research",
        "a SG research institute asks for a CN hospital's patient data"),
    Ask("sg-lionhealth-claims", CN, "business",
        "SG claims to CN under a binding contract", ("binding_contract",)),
    Ask("vn-mekonglog-shipments", CN, "logistics",
        "VN parcel manifests to CN, with a transfer impact dossier due",
        evidence="A05 receipt of the transfer impact assessment dossier no. TIA-2026-0042"),
    Ask("th-siampay-card-payments", VN, "payment",
        "TH card payments to VN, which the owner's Cedar policy forbids", ("consent",)),
)  # fmt: skip


@dataclass(slots=True)
class GateStory:
    """What the stage found: the decisions as JSON, and figures per stage."""

    decisions: list[dict[str, Any]] = field(default_factory=list)
    gate: dict[str, Any] = field(default_factory=dict)
    compute: dict[str, Any] = field(default_factory=dict)


def _offer(sample: Sample) -> OfferRequest:
    owner = sample.dataset.owner
    return OfferRequest(
        id=f"{sample.dataset.id}-std",
        dataset_id=sample.dataset.id,
        policy=UsagePolicy(
            purposes=frozenset({"research", "business", "logistics", "payment"}),
            duration_days=90,
            compute_kinds=frozenset({"psi", "dp_query"}),
            dp_epsilon=1.0,
            price=Price(
                currency=CURRENCY[owner],
                per_download=Decimal("120.00"),
                per_task=Decimal("15.50"),
                per_cpu_second=Decimal("0.02"),
            ),
        ),
    )


def _publish(platform: Platform, samples: list[Sample]) -> int:
    for sample in samples:
        owner = sample.dataset.owner
        platform.publish(
            sample.dataset,
            sample.path,
            policies=POLICIES[owner],
            description=sample.dataset.name,
            keywords=sorted(sample.dataset.categories),
        )
        platform.exchange.orders.add_offer(owner, _offer(sample))
    return len(samples)


def write_cohort(patients: Sample, directory: Path, seed: int = 23) -> Path:
    """SG's study cohort: Guangxi-born participants by resident ID, one in five a patient
    of cn-gxic (drawn from the file), the rest not (new numbers)."""
    frame = pd.read_parquet(patients.path, columns=["身份证号"])
    ids = frame["身份证号"].drop_duplicates()
    rng = np.random.default_rng(seed)
    size = max(2, len(ids) // 20)
    treated = ids.sample(n=max(1, size // 5), random_state=seed).tolist()
    known = set(ids)
    others = [i for i in cn_resident_ids(rng, size) if i not in known][: size - len(treated)]
    cohort = pd.DataFrame({"cn_resident_id": treated + others}).sample(frac=1.0, random_state=3)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{COHORT}.csv"
    cohort.to_csv(path, index=False)
    return path


@contextlib.contextmanager
def _native_logs_to_stderr() -> Iterator[None]:
    """spu's C++ logs write to file descriptor 1; keep stdout for the demo's JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _tasks() -> list[TaskSpec]:
    codes = list(ICD10_CODES)
    return [
        TaskSpec.model_validate(spec)
        for spec in (
            {"id": COHORT_PSI, "kind": "psi",
             "inputs": [{"party": CN, "dataset": PATIENTS, "columns": ["身份证号"]},
                        {"party": SG, "dataset": COHORT, "columns": ["cn_resident_id"]}],
             "receivers": [SG],
             "params": {"protocol": "rr22", "output": "cardinality", "keep": True},
             "limits": {"time_s": 120}},
            {"id": "dp-mean-cost", "kind": "dp_query",
             "inputs": [{"party": CN, "dataset": PATIENTS, "columns": ["费用_元"]}],
             "receivers": [SG], "privacy": {"epsilon": 0.5},
             "params": {"statistic": "mean", "bounds": [0, 5000], "within": WITHIN_COHORT},
             "limits": {"time_s": 120}},
            {"id": "dp-diagnoses", "kind": "dp_query",
             "inputs": [{"party": CN, "dataset": PATIENTS, "columns": ["诊断编码"]}],
             "receivers": [SG], "privacy": {"epsilon": 0.5},
             "params": {"statistic": "histogram", "categories": codes,
                        "within": WITHIN_COHORT},
             "limits": {"time_s": 120}},
        )
    ]  # fmt: skip


def _compute(platform: Platform, order_id: str, cohort_size: int) -> dict[str, Any]:
    started = time.perf_counter()
    tasks = _tasks()
    with _native_logs_to_stderr():
        outcomes = platform.compute(order_id, tasks, actor=SG)
    by_id = {o.task_id: o for o in outcomes}
    psi, mean = by_id[COHORT_PSI].result, by_id["dp-mean-cost"].result
    mix = by_id["dp-diagnoses"].result
    return {
        "order_id": order_id,
        "receiver": SG,
        "tasks": {o.task_id: o.state for o in outcomes},
        "errors": {o.task_id: o.error for o in outcomes if o.error},
        "psi_protocol": None if psi is None else psi.get("protocol"),
        "cohort": cohort_size,
        "intersection": None if psi is None else psi["count"],
        "intersection_kept_at": None if psi is None else psi.get("kept_at"),
        "dp_over": {
            "rows": "visits of the patients in the cohort PSI's intersection",
            "within": dict(WITHIN_COHORT),
            "dataset": PATIENTS,
        },
        "dp_mean_cost_yuan": None if mean is None else round(float(mean["value"]), 2),
        "dp_mean_accuracy": None if mean is None else mean.get("accuracy"),
        "dp_visits_noisy": None if mean is None else mean.get("noisy_count"),
        "dp_diagnoses": None if mix is None else mix["value"],
        "dp_epsilon_spent": sum(t.privacy.epsilon for t in tasks if t.privacy is not None),
        "dp_epsilon_left": None if mix is None else mix["epsilon_left"],
        "usage": [o.usage_id for o in outcomes if o.usage_id],
        "seconds": round(time.perf_counter() - started, 3),
    }


def _download(platform: Platform, order_id: str, requester: str) -> dict[str, Any]:
    got = platform.download(order_id, actor=requester)
    with Path(got.path).open("rb") as received:
        actual = hashlib.file_digest(received, "sha256").hexdigest()
    return {
        "path": got.path,
        "bytes": got.size,
        "reencryption": got.threshold,
        "ledger_hash": got.content_hash,
        "received_hash": actual,
        "hash_matches": actual == got.content_hash,
        "use_tx": got.use_tx,
    }


def _file(platform: Platform, decision: GateDecision, evidence: str) -> dict[str, Any]:
    """The owner files what the law asks; each blocking obligation is met with the receipt."""
    filed = []
    for obligation in decision.obligations:
        if obligation.blocking and obligation.status != "met":
            platform.gate.meet_obligation(obligation.id, evidence=evidence, actor=decision.owner)
            filed.append(obligation.obligation)
    order = platform.exchange.orders.order(decision.order_id or "")
    return {"met": filed, "order_state": order.state}


def _as_json(ask: Ask, decision: GateDecision, platform: Platform) -> dict[str, Any]:
    data = decision.request.data
    order = platform.exchange.orders.order(decision.order_id) if decision.order_id else None
    return {
        "id": decision.id,
        "story": ask.story,
        "request": {
            "dataset_id": ask.dataset_id, "requester": ask.requester, "purpose": ask.purpose,
            "mechanisms": list(ask.mechanisms), "want": decision.want,
            "offer_id": decision.offer_id,
        },
        "route": f"{decision.request.exporter.jurisdiction}→"
                 f"{decision.request.importer.jurisdiction}",
        "facts": {"subjects": data.subjects, "sensitive_subjects": data.sensitive_subjects,
                  "categories": sorted(data.categories), "important_data": data.important_data},
        "law": {"verdict": decision.assessment.verdict,
                "required_any_of": list(decision.assessment.required_any_of),
                "alternatives": list(decision.assessment.alternatives)},
        "verdict": decision.verdict,
        "reasons": list(decision.reasons),
        "citations": list(decision.citations),
        "abac": None if decision.abac is None else {
            "allowed": decision.abac.allowed, "scope": decision.abac.scope,
            "policies": list(decision.abac.policies), "tx_id": decision.abac.tx_id},
        "obligations": [
            {"id": o.id, "obligation": o.obligation, "what": o.what, "authority": o.authority,
             "citation": o.citation, "blocking": o.blocking,
             "due_at": None if o.due_at is None else o.due_at.isoformat(), "status": o.status}
            for o in decision.obligations
        ],
        "order": None if order is None else {"id": order.id, "state": order.state},
        "document_hash": decision.document_hash,
        "ledger_txs": list(decision.ledger_txs),
    }  # fmt: skip


def _follow(
    platform: Platform, ask: Ask, decision: GateDecision, sample: Sample, story: GateStory
) -> dict[str, Any]:
    """What the verdict lets happen next: computation, a download, a filing, or nothing."""
    if decision.order_id is None:
        return {}
    if decision.verdict == "compute_only" and sample.dataset.id == PATIENTS:
        home = platform.settings.home
        cohort = write_cohort(sample, home / "data" / ask.requester)
        story.compute = _compute(platform, decision.order_id, len(pd.read_csv(cohort)))
        return {"compute": story.compute}
    if decision.verdict == "allowed":
        return {"download": _download(platform, decision.order_id, ask.requester)}
    if decision.verdict == "conditional" and ask.evidence is not None:
        return {"after_filing": _file(platform, decision, ask.evidence)}
    return {}


def _billing(platform: Platform) -> dict[str, Any]:
    billing = platform.exchange.billing
    period = period_of(dt.datetime.now(dt.UTC))
    payers = sorted({u.party for u in billing.usage() if u.invoice_id is None})
    invoices = [billing.invoice(party, period) for party in payers]
    return {
        "usage_records": len(billing.usage()),
        "invoices": [
            {"id": i.id, "party": i.party, "period": i.period, "currency": i.currency,
             "total": str(i.total), "lines": len(i.lines), "document_hash": i.document_hash,
             "ledger_txs": len(i.ledger_txs)}
            for i in invoices
        ],
    }  # fmt: skip


def _audit(platform: Platform, home: Path) -> dict[str, Any]:
    trail = platform.exchange.audit.for_dataset(PATIENTS)
    directory = home / "audit"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{PATIENTS}.json").write_text(to_json(trail), encoding="utf-8")
    (directory / f"{PATIENTS}.csv").write_text(to_csv(trail), encoding="utf-8")
    actions = [e.action for e in trail]
    return {
        "dataset_id": PATIENTS,
        "entries": len(trail),
        "first": actions[0] if actions else None,
        "actions": sorted(set(actions)),
        "json": str(directory / f"{PATIENTS}.json"),
        "csv": str(directory / f"{PATIENTS}.csv"),
    }


def run_gate_stage(platform: Platform, samples: list[Sample], home: Path) -> GateStory:
    started = time.perf_counter()
    story = GateStory()
    by_id = {s.dataset.id: s for s in samples}
    published = _publish(platform, samples)
    for ask in ASKS:
        decision = platform.gate.decide(
            AccessRequest(dataset_id=ask.dataset_id, requester=ask.requester,
                          purpose=ask.purpose, mechanisms=frozenset(ask.mechanisms),
                          offer_id=f"{ask.dataset_id}-std"),
            actor=ask.requester,
        )  # fmt: skip
        entry = _as_json(ask, decision, platform)
        entry["outcome"] = _follow(platform, ask, decision, by_id[ask.dataset_id], story)
        story.decisions.append(entry)
    story.gate = {
        "published": published,
        "offers": len(platform.exchange.orders.offers()),
        "verdicts": {
            f"{d['request']['dataset_id']}→{d['request']['requester']}": d["verdict"]
            for d in story.decisions
        },
        "billing": _billing(platform),
        "audit": _audit(platform, home),
        "trust": {s.party: s.score for s in platform.exchange.trust.scores()},
        "seconds": round(time.perf_counter() - started, 3),
    }
    return story
