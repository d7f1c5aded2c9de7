"""Tables of the exchange and the gate: catalog, offers, orders, decisions, billing, trust.

Money is kept as decimal text (``"12.5000"``) so that SQLite and PostgreSQL store it exactly;
``silkgate.exchange`` turns it back into ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from silkgate.store._tables import Base


class ClassificationRow(Base):
    """A classification report, cached by the SHA-256 of the content it describes."""

    __tablename__ = "classifications"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CatalogRow(Base):
    __tablename__ = "catalog"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    important_data: Mapped[bool] = mapped_column(Boolean, default=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    vault_ref: Mapped[str] = mapped_column(String(200))
    ledger_tx: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class OfferRow(Base):
    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    owner: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    price: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ledger_tx: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class OrderRow(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offers.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    consumer: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    transitions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision_id: Mapped[str | None] = mapped_column(String(63), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    requester: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    document_hash: Mapped[str] = mapped_column(String(64))
    ledger_txs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ObligationRow(Base):
    __tablename__ = "obligations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True)
    party: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    obligation: Mapped[str] = mapped_column(String(100))
    what: Mapped[str] = mapped_column(Text)
    authority: Mapped[str | None] = mapped_column(String(200), nullable=True)
    citation: Mapped[str] = mapped_column(Text)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    met_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    evidence_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class UsageRow(Base):
    __tablename__ = "usage_records"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    party: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    provider: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    offer_id: Mapped[str | None] = mapped_column(String(63), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(100))
    units: Mapped[dict[str, Any]] = mapped_column(JSON)
    amount: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(63), nullable=True)


class InvoiceRow(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    party: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[str] = mapped_column(String(40))
    lines: Mapped[list[Any]] = mapped_column(JSON)
    document_hash: Mapped[str] = mapped_column(String(64))
    ledger_txs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrustRow(Base):
    __tablename__ = "trust_scores"

    party: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    factors: Mapped[dict[str, Any]] = mapped_column(JSON)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended_grants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrustSignalRow(Base):
    """Something that happened to a party and bears on its trust (an alert, a node outage …)."""

    __tablename__ = "trust_signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
