"""Audit trails per dataset and per party: the ledger's record joined with the exchange's.

Ledger events come from the committing peer: registration, policies, requests with Cedar's
answer, grants, suspensions, restorations, revocations, downloads and computations via
``silkgate.ledger.audit``; anchored offers and decisions, order steps and invoices from the
``exchange`` contract's records. Usage records and obligations come from the control plane.
Exported as JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from sqlalchemy import select

from silkgate.exchange._ledgerlink import ANCHOR_PREFIX, ExchangeEvent, LedgerLink
from silkgate.exchange._models import AuditEntry
from silkgate.ledger import audit
from silkgate.store import Database, DatasetRow, DecisionRow, ObligationRow, UsageRow

CSV_FIELDS = ("at", "source", "dataset_id", "party", "action", "detail", "tx_id", "block")


def _exchange_entry(event: ExchangeEvent, dataset_id: str) -> AuditEntry:
    record = event.record
    if event.function == "order":
        action = f"order {record['state']}"
        detail = {"order": record["order_id"], "hash": record["sha256"],
                  "previous": record.get("previous")}  # fmt: skip
    elif event.function == "invoice":
        action = "invoice anchored"
        detail = {"ref": record["invoice_id"], "hash": record["sha256"], "payer": record["payer"]}
    else:
        action = f"{record['kind']} anchored"
        detail = {"ref": record["ref"], "hash": record["sha256"], "party": record.get("party")}
    return AuditEntry(at=event.timestamp, source="ledger", dataset_id=dataset_id,
                      party=event.actor.split("/")[0], action=action,
                      detail=json.dumps(detail, sort_keys=True, default=str),
                      tx_id=event.tx_id, block=event.block)  # fmt: skip


def _ledger_entries(ledger: LedgerLink, dataset_id: str) -> list[AuditEntry]:
    with ledger.lock:
        events = audit(ledger.consortium.peer(), dataset_id)
    entries = []
    for event in events:
        if str(event.detail.get("key", "")).startswith("exchange/"):
            continue  # richer entries come from ``exchange_events`` below
        action, detail = event.action, dict(event.detail)
        purpose = str(detail.get("purpose", ""))
        if action == "consent recorded" and purpose.startswith(ANCHOR_PREFIX):
            # a ledger written before the exchange contract: documents as consent receipts
            kind, _sep, ref = purpose.removeprefix(ANCHOR_PREFIX).partition(":")
            action, detail = f"{kind} anchored", {"ref": ref, "hash": detail["key"].rsplit("/")[-1]}
        key = str(detail.pop("key", ""))
        if key.startswith(("grant/", "request/", "use/")):
            detail["id"] = key.rsplit("/", 1)[-1]
        entries.append(
            AuditEntry(at=event.timestamp, source="ledger", dataset_id=dataset_id,
                       party=event.actor.split("/")[0], action=action,
                       detail=json.dumps(detail, sort_keys=True, default=str),
                       tx_id=event.tx_id, block=event.block)
        )  # fmt: skip
    entries.extend(_exchange_entry(e, dataset_id) for e in ledger.exchange_events(dataset_id))
    return sorted(entries, key=lambda e: (e.block or 0, e.at))


class AuditTrail:
    def __init__(self, database: Database, ledger: LedgerLink) -> None:
        self._db = database
        self._ledger = ledger

    def _exchange_entries(self, dataset_ids: Sequence[str]) -> list[AuditEntry]:
        entries = []
        with self._db.transaction() as session:
            for u in session.scalars(select(UsageRow).where(UsageRow.dataset_id.in_(dataset_ids))):
                entries.append(
                    AuditEntry(at=u.at.isoformat(), source="exchange", dataset_id=u.dataset_id,
                               party=u.party, action=f"metered {u.kind}",
                               detail=f"{u.amount} {u.currency}; invoice {u.invoice_id or '-'}")
                )  # fmt: skip
            decisions = session.scalars(
                select(DecisionRow).where(DecisionRow.dataset_id.in_(dataset_ids))
            ).all()
            by_decision = {d.id: d for d in decisions}
            obligations = session.scalars(
                select(ObligationRow).where(ObligationRow.decision_id.in_(list(by_decision)))
            ).all()
            for o in obligations:
                met = o.met_at.isoformat() if o.met_at else "open"
                entries.append(
                    AuditEntry(at=by_decision[o.decision_id].created_at.isoformat(),
                               source="exchange", dataset_id=by_decision[o.decision_id].dataset_id,
                               party=o.party, action=f"obligation {o.status}",
                               detail=f"{o.obligation} ({o.citation}); met: {met}")
                )  # fmt: skip
        return entries

    def for_dataset(self, dataset_id: str) -> list[AuditEntry]:
        entries = _ledger_entries(self._ledger, dataset_id) + self._exchange_entries([dataset_id])
        return sorted(entries, key=lambda e: (e.at, e.block or 0))

    def for_party(self, party: str) -> list[AuditEntry]:
        """What ``party`` did, and what was done with the datasets it owns."""
        with self._db.transaction() as session:
            datasets = list(session.scalars(select(DatasetRow.id).order_by(DatasetRow.id)))
            owned = set(session.scalars(select(DatasetRow.id).where(DatasetRow.owner == party)))
        entries: list[AuditEntry] = []
        for dataset_id in datasets:
            if not self._ledger.is_registered(dataset_id):
                continue
            entries.extend(
                e for e in _ledger_entries(self._ledger, dataset_id)
                if e.party == party or dataset_id in owned
            )  # fmt: skip
        entries.extend(
            e for e in self._exchange_entries(datasets)
            if e.party == party or e.dataset_id in owned
        )  # fmt: skip
        return sorted(entries, key=lambda e: (e.at, e.block or 0))


def to_csv(entries: Sequence[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow(entry.model_dump(mode="json"))
    return out.getvalue()


def to_json(entries: Sequence[AuditEntry]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in entries], indent=1, ensure_ascii=False)
