"""Trust scores per party, and the dynamic permission adjustment they drive.

The score (0–100) weighs five factors, each in [0, 1]:

| factor | weight | from |
|---|---|---|
| compliance | 25 | the party's gate decisions (denials) and obligations (overdue ones) |
| alerts | 35 | monitor alerts about the party (``alert`` signals), 0.2 off per open alert |
| certifications | 10 | certifications the party holds (two or more: full) |
| availability | 15 | its node's ``node_unavailable`` / ``node_available`` signals |
| dp_budget | 15 | ``budget_exhausted`` signals: DP queries refused for lack of ε, 0.2 off each |

``recompute(party)`` runs on every signal. Below ``SUSPEND_BELOW`` every active grant the
party holds is suspended on the ledger by its owner (``access.suspend``: the grant stays, but
allows nothing); once the score reaches ``RESTORE_AT`` again each is restored
(``access.restore``), which the ledger allows only while the owner's Cedar policies still
allow the party every scope of the grant. A grant the ledger will not restore (the policies
changed, the grant expired, the party's certificate was revoked) is revoked by its owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from silkgate.domain import InvalidInput
from silkgate.exchange._ledgerlink import LedgerLink
from silkgate.exchange._models import TrustScore
from silkgate.ledger import ContractRefused
from silkgate.store import (
    Database,
    DecisionRow,
    ObligationRow,
    Registry,
    TrustRow,
    TrustSignalRow,
)

WEIGHTS = {"compliance": 25.0, "alerts": 35.0, "certifications": 10.0, "availability": 15.0,
           "dp_budget": 15.0}  # fmt: skip
SUSPEND_BELOW = 70.0
RESTORE_AT = 75.0
SIGNALS = ("alert", "node_unavailable", "node_available", "budget_exhausted", "alert_cleared")


def _score(row: TrustRow) -> TrustScore:
    return TrustScore(party=row.party, score=row.score, factors=row.factors,
                      suspended=row.suspended,
                      suspended_grants=tuple(g["grant_id"] for g in row.suspended_grants),
                      updated_at=row.updated_at)  # fmt: skip


class TrustScores:
    def __init__(self, database: Database, registry: Registry, ledger: LedgerLink) -> None:
        self._db = database
        self._registry = registry
        self._ledger = ledger

    def signal(self, party: str, kind: str, detail: dict[str, Any] | None = None) -> TrustScore:
        """Record something that happened to ``party`` and recompute its score."""
        if kind not in SIGNALS:
            raise InvalidInput(f"unknown signal {kind!r}; one of {', '.join(SIGNALS)}",
                               field="kind")  # fmt: skip
        self._registry.party(party)
        with self._db.transaction() as session:
            session.add(TrustSignalRow(party=party, kind=kind, detail=detail or {},
                                       at=dt.datetime.now(dt.UTC)))  # fmt: skip
        return self.recompute(party)

    def factors(self, party: str) -> dict[str, float]:
        certifications = self._registry.party(party).certifications
        now = dt.datetime.now(dt.UTC)
        with self._db.transaction() as session:
            signals = [s.kind for s in session.scalars(
                select(TrustSignalRow).where(TrustSignalRow.party == party))]  # fmt: skip
            decisions = session.scalars(
                select(DecisionRow.verdict).where(DecisionRow.requester == party)
            ).all()
            overdue = sum(
                1
                for o in session.scalars(
                    select(ObligationRow).where(ObligationRow.party == party)
                )
                if o.status == "open" and o.due_at is not None and _aware(o.due_at) < now
            )  # fmt: skip
        denied = sum(1 for v in decisions if v == "denied")
        compliance = 1.0 - min(1.0, (0.5 * denied + overdue) / max(len(decisions), 4))
        alerts = max(0, signals.count("alert") - signals.count("alert_cleared"))
        down, up = signals.count("node_unavailable"), signals.count("node_available")
        return {
            "compliance": round(compliance, 4),
            "alerts": round(max(0.0, 1.0 - 0.2 * alerts), 4),
            "certifications": min(1.0, len(certifications) / 2),
            "availability": round(max(0.0, 1.0 - 0.25 * max(0, down - up)), 4),
            "dp_budget": round(max(0.0, 1.0 - 0.2 * signals.count("budget_exhausted")), 4),
        }

    def recompute(self, party: str) -> TrustScore:
        factors = self.factors(party)
        score = round(sum(WEIGHTS[k] * v for k, v in factors.items()), 2)
        now = dt.datetime.now(dt.UTC)
        with self._db.transaction() as session:
            row = session.get(TrustRow, party)
            suspended = bool(row and row.suspended)
            held = list(row.suspended_grants) if row else []
        if not suspended and score < SUSPEND_BELOW:
            reason = f"trust score {score:g} below {SUSPEND_BELOW:g}"
            held, suspended = self._suspend(party, reason), True
        elif suspended and score >= RESTORE_AT:
            self._restore(held)
            held, suspended = [], False
        with self._db.transaction() as session:
            row = session.get(TrustRow, party)
            if row is None:
                row = TrustRow(party=party)
                session.add(row)
            row.score, row.factors, row.updated_at = score, factors, now
            row.suspended, row.suspended_grants = suspended, held
        return self.score(party)

    def _suspend(self, party: str, reason: str) -> list[dict[str, Any]]:
        held = []
        for grant in self._ledger.grants_of(party):
            if grant.get("status") != "active":
                continue
            dataset = self._ledger.get(f"dataset/{grant['dataset_id']}")
            tx_id = self._ledger.suspend(dataset["owner"], grant["dataset_id"], grant["id"],
                                         reason)  # fmt: skip
            held.append({"grant_id": grant["id"], "dataset_id": grant["dataset_id"],
                         "owner": dataset["owner"], "suspend_tx": tx_id})  # fmt: skip
        return held

    def _restore(self, held: list[dict[str, Any]]) -> None:
        for grant in held:
            record = self._ledger.grant_record(grant["dataset_id"], grant["grant_id"]) or {}
            if record.get("status") != "suspended":
                continue  # revoked meanwhile by its owner or by the end of its order
            try:
                self._ledger.restore(grant["owner"], grant["dataset_id"], grant["grant_id"])
            except ContractRefused:
                self._ledger.revoke(grant["owner"], grant["dataset_id"], grant["grant_id"])

    def score(self, party: str) -> TrustScore:
        with self._db.transaction() as session:
            row = session.get(TrustRow, party)
        if row is None:
            return self.recompute(party)
        return _score(row)

    def scores(self) -> list[TrustScore]:
        return [self.score(p.id) for p in self._registry.parties()]


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
