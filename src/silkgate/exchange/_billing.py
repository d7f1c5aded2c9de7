"""Billing: metering of transfers and compute tasks → usage records → invoices per period.

A usage record prices one download or one compute task under its offer's price (Decimal,
rounded to 0.01 at the invoice, half-up). ``invoice(party, period)`` gathers the party's
uninvoiced records of that month, puts the invoice's hash on the ledger (``exchange.invoice``
by the provider of each dataset on it) and marks the records, in one database transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from silkgate.compute import Metering
from silkgate.domain import Conflict, InvalidInput, NotFound
from silkgate.exchange._ledgerlink import LedgerLink, document_hash
from silkgate.exchange._models import Invoice, InvoiceLine, Offer, UsageRecord
from silkgate.store import Database, InvoiceRow, UsageRow

CENT = Decimal("0.01")


def _usage(row: UsageRow) -> UsageRecord:
    return UsageRecord.model_validate(
        {"id": row.id, "party": row.party, "provider": row.provider, "dataset_id": row.dataset_id,
         "offer_id": row.offer_id, "kind": row.kind, "source": row.source, "units": row.units,
         "amount": Decimal(row.amount), "currency": row.currency, "at": row.at,
         "invoice_id": row.invoice_id}
    )  # fmt: skip


def _invoice(row: InvoiceRow) -> Invoice:
    return Invoice.model_validate(
        {"id": row.id, "party": row.party, "period": row.period, "currency": row.currency,
         "total": Decimal(row.total), "lines": row.lines, "document_hash": row.document_hash,
         "ledger_txs": row.ledger_txs, "created_at": row.created_at}
    )  # fmt: skip


def period_of(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m")


class Billing:
    def __init__(self, database: Database, ledger: LedgerLink) -> None:
        self._db = database
        self._ledger = ledger

    def _add(self, record: UsageRecord) -> UsageRecord:
        with self._db.transaction() as session:
            if session.get(UsageRow, record.id) is not None:
                raise Conflict(f"usage {record.id} is already metered", field="id")
            session.add(
                UsageRow(id=record.id, party=record.party, provider=record.provider,
                         dataset_id=record.dataset_id, offer_id=record.offer_id, kind=record.kind,
                         source=record.source, units=record.units, amount=str(record.amount),
                         currency=record.currency, at=record.at)
            )  # fmt: skip
        return record

    def meter_download(self, consumer: str, offer: Offer, *, source: str, size: int) -> UsageRecord:
        price = offer.policy.price
        return self._add(
            UsageRecord(id=f"u-{uuid.uuid4().hex[:12]}", party=consumer, provider=offer.owner,
                        dataset_id=offer.dataset_id, offer_id=offer.id, kind="download",
                        source=source, units={"downloads": 1, "bytes": float(size)},
                        amount=price.per_download, currency=price.currency,
                        at=dt.datetime.now(dt.UTC))
        )  # fmt: skip

    def meter_task(
        self, consumer: str, offer: Offer, *, task_id: str, kind: str,
        metering: Mapping[str, Metering],
    ) -> UsageRecord:  # fmt: skip
        """Price a finished task: per task plus CPU seconds the owner's node spent on it."""
        price = offer.policy.price
        spent = metering.get(offer.owner)
        cpu_s = Decimal(str(spent.cpu_s)) if spent is not None else Decimal("0")
        units = {"tasks": 1.0, "cpu_s": float(cpu_s)}
        if spent is not None:
            units |= {"rows": float(spent.rows), "bytes_exchanged": float(spent.bytes_exchanged)}
        amount = price.per_task + price.per_cpu_second * cpu_s
        return self._add(
            UsageRecord(id=f"u-{task_id}-{offer.dataset_id}"[:63], party=consumer,
                        provider=offer.owner, dataset_id=offer.dataset_id, offer_id=offer.id,
                        kind=f"compute:{kind}", source=task_id, units=units, amount=amount,
                        currency=price.currency, at=dt.datetime.now(dt.UTC))
        )  # fmt: skip

    def usage(
        self, *, party: str | None = None, dataset_id: str | None = None
    ) -> list[UsageRecord]:
        query = select(UsageRow).order_by(UsageRow.at)
        if party is not None:
            query = query.where((UsageRow.party == party) | (UsageRow.provider == party))
        if dataset_id is not None:
            query = query.where(UsageRow.dataset_id == dataset_id)
        with self._db.transaction() as session:
            return [_usage(r) for r in session.scalars(query).all()]

    def invoice(self, party: str, period: str) -> Invoice:
        """Invoice ``party``'s uninvoiced usage of ``period`` (YYYY-MM)."""
        try:
            dt.datetime.strptime(period, "%Y-%m")
        except ValueError:
            raise InvalidInput(f"{period!r} is not YYYY-MM", field="period") from None
        pending = [
            u for u in self.usage(party=party)
            if u.party == party and u.invoice_id is None and period_of(u.at) == period
        ]  # fmt: skip
        if not pending:
            raise NotFound(f"{party} has no uninvoiced usage in {period}", field="period")
        currencies = {u.currency for u in pending}
        if len(currencies) > 1:
            raise InvalidInput(f"usage in several currencies {sorted(currencies)}", field="period")
        groups: dict[tuple[str | None, str, str, str], list[UsageRecord]] = defaultdict(list)
        for u in pending:
            groups[(u.offer_id, u.dataset_id, u.provider, u.kind)].append(u)
        lines = [
            InvoiceLine(offer_id=k[0], dataset_id=k[1], provider=k[2], kind=k[3], count=len(v),
                        amount=sum((u.amount for u in v), Decimal("0")).quantize(
                            CENT, ROUND_HALF_UP))
            for k, v in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0])))
        ]  # fmt: skip
        total = sum((line.amount for line in lines), Decimal("0"))
        invoice_id = f"inv-{party}-{period}-{uuid.uuid4().hex[:6]}"[:63]
        now = dt.datetime.now(dt.UTC)
        document = {
            "id": invoice_id, "party": party, "period": period, "currency": currencies.pop(),
            "total": str(total), "lines": [line.model_dump(mode="json") for line in lines],
            "usage": sorted(u.id for u in pending),
        }  # fmt: skip
        digest = document_hash(document)
        txs = []
        for provider, dataset_id in sorted({(line.provider, line.dataset_id) for line in lines}):
            txs.append(self._ledger.invoice(provider, dataset_id, invoice_id, party, document)[1])
        with self._db.transaction() as session:
            session.add(
                InvoiceRow(id=invoice_id, party=party, period=period,
                           currency=str(document["currency"]), total=str(total),
                           lines=document["lines"], document_hash=digest, ledger_txs=txs,
                           created_at=now)
            )  # fmt: skip
            for row in session.scalars(select(UsageRow).where(UsageRow.id.in_(document["usage"]))):
                row.invoice_id = invoice_id
        return self.invoice_by_id(invoice_id)

    def invoice_by_id(self, invoice_id: str) -> Invoice:
        with self._db.transaction() as session:
            row = session.get(InvoiceRow, invoice_id)
            if row is None:
                raise NotFound(f"no invoice {invoice_id!r}", field="invoice_id")
            return _invoice(row)

    def invoices(self, party: str | None = None) -> list[Invoice]:
        query = select(InvoiceRow).order_by(InvoiceRow.created_at)
        if party is not None:
            query = query.where(InvoiceRow.party == party)
        with self._db.transaction() as session:
            return [_invoice(r) for r in session.scalars(query).all()]
