"""Values of the exchange: catalog entries, ODRL usage policies, offers, orders, bills, trust."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from silkgate.compute import TaskKind
from silkgate.domain import Dataset, DomainModel, Purpose

OrderState = Literal["requested", "offered", "agreed", "finalized", "terminated"]
ORDER_STATES: tuple[OrderState, ...] = (
    "requested", "offered", "agreed", "finalized", "terminated",
)  # fmt: skip
Money = Decimal


def _utc(value: dt.datetime) -> dt.datetime:
    """Stores without time zones (SQLite) give naive values; silkgate writes UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class CatalogEntry(DomainModel):
    """A dataset as published: its registry record, classification and ledger registration."""

    dataset: Dataset
    description: str = ""
    keywords: tuple[str, ...] = ()
    important_data: bool = False
    report: dict[str, Any] = Field(default_factory=dict, description="classification report")
    vault_ref: str
    ledger_tx: str
    published_at: UtcDatetime


class Price(DomainModel):
    """What a use costs under an offer, in one ISO 4217 currency."""

    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    per_download: Money = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=4)
    per_task: Money = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=4)
    per_cpu_second: Money = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=4)


class UsagePolicy(DomainModel):
    """An ODRL usage policy: purposes, duration, onward transfer, compute kinds, DP, price."""

    purposes: frozenset[Purpose] = Field(min_length=1)
    duration_days: int = Field(30, ge=1, le=3650)
    download: bool = Field(True, description="whether the data itself may be downloaded")
    onward_transfer: bool = Field(False, description="whether the consumer may pass it on")
    compute_kinds: frozenset[TaskKind] = frozenset()
    dp_epsilon: float | None = Field(None, gt=0, le=100, description="total ε per consumer")
    price: Price = Price()


class OfferRequest(DomainModel):
    id: str = Field(pattern=_SLUG)
    dataset_id: str = Field(pattern=_SLUG)
    policy: UsagePolicy


class Offer(DomainModel):
    id: str
    dataset_id: str
    owner: str
    policy: UsagePolicy
    active: bool = True
    ledger_tx: str
    created_at: UtcDatetime


class Transition(DomainModel):
    state: OrderState
    at: UtcDatetime
    by: str
    tx_id: str
    note: str = ""


class Order(DomainModel):
    """A negotiation for one offer, as in the Dataspace Protocol (requested → … → finalized)."""

    id: str
    offer_id: str
    dataset_id: str
    consumer: str
    purpose: Purpose
    state: OrderState
    transitions: tuple[Transition, ...] = ()
    request_id: str | None = None
    grant_id: str | None = None
    decision_id: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class UsageRecord(DomainModel):
    id: str
    party: str = Field(description="who pays")
    provider: str
    dataset_id: str
    offer_id: str | None = None
    kind: str = Field(description="download or compute:<task kind>")
    source: str = Field(description="the transfer's ledger tx or the compute task id")
    units: dict[str, float] = Field(default_factory=dict)
    amount: Money
    currency: str
    at: UtcDatetime
    invoice_id: str | None = None


class InvoiceLine(DomainModel):
    offer_id: str | None
    dataset_id: str
    provider: str
    kind: str
    count: int
    amount: Money


class Invoice(DomainModel):
    id: str
    party: str
    period: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    currency: str
    total: Money
    lines: tuple[InvoiceLine, ...]
    document_hash: str
    ledger_txs: tuple[str, ...]
    created_at: UtcDatetime


class TrustScore(DomainModel):
    party: str
    score: float = Field(ge=0, le=100)
    factors: dict[str, float]
    suspended: bool
    suspended_grants: tuple[str, ...] = ()
    updated_at: UtcDatetime


class AuditEntry(DomainModel):
    """One line of an audit trail, from the ledger or the control plane."""

    at: str
    source: Literal["ledger", "exchange"]
    dataset_id: str | None
    party: str | None
    action: str
    detail: str
    tx_id: str | None = None
    block: int | None = None
