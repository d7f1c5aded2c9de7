"""What goes into the gate and what comes out of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from silkgate.domain import Decision, DomainModel, Mechanism, Purpose, TransferRequest

GateVerdict = Literal["allowed", "conditional", "compute_only", "denied"]
GATE_VERDICTS: tuple[GateVerdict, ...] = ("allowed", "conditional", "compute_only", "denied")
Want = Literal["download", "compute"]


def _utc(value: dt.datetime) -> dt.datetime:
    """Stores without time zones (SQLite) give naive values; silkgate writes UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class AccessRequest(DomainModel):
    """A party asks for a published dataset, for a purpose, with mechanisms in place."""

    dataset_id: str = Field(pattern=_SLUG)
    requester: str = Field(pattern=_SLUG, description="party id of the requester")
    purpose: Purpose = "business"
    mechanisms: frozenset[Mechanism] = frozenset()
    want: Want = Field("download", description="the data itself, or computation on it")
    offer_id: str | None = Field(None, pattern=_SLUG, description="the offer to order under")


class AbacOutcome(DomainModel):
    """The ledger's Cedar answer to the gate's access request, one scope at a time."""

    request_id: str
    scope: str = Field(description="the first scope asked for")
    scopes: tuple[str, ...] = ()
    allowed_scopes: tuple[str, ...] = ()
    allowed: bool
    policies: tuple[str, ...] = ()
    tx_id: str


class ObligationStatus(DomainModel):
    id: int
    obligation: str
    what: str
    authority: str | None = None
    citation: str
    blocking: bool
    due_at: UtcDatetime | None = None
    status: Literal["open", "met", "overdue"]
    met_at: UtcDatetime | None = None


class GateDecision(DomainModel):
    """The gate's answer, as recorded on the ledger (its document hash) and in the database."""

    id: str
    dataset_id: str
    owner: str
    requester: str
    purpose: Purpose
    want: Want
    verdict: GateVerdict
    reasons: tuple[str, ...]
    request: TransferRequest
    assessment: Decision
    abac: AbacOutcome | None = None
    citations: tuple[str, ...] = ()
    obligations: tuple[ObligationStatus, ...] = ()
    offer_id: str | None = None
    order_id: str | None = None
    document_hash: str = ""
    ledger_txs: tuple[str, ...] = ()
    created_at: UtcDatetime


class Download(DomainModel):
    """A re-encrypted download: where the plaintext was written, checked against the ledger."""

    order_id: str
    dataset_id: str
    path: str
    size: int
    content_hash: str
    threshold: str
    use_tx: str
    usage_id: str


class ComputeOutcome(DomainModel):
    order_id: str
    task_id: str
    kind: str
    state: str
    result: dict[str, Any] | None = None
    error: str | None = None
    use_tx: str | None = None
    usage_id: str | None = None
