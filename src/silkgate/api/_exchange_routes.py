"""REST of the gate and the exchange: catalog, offers, requests and decisions, orders,
downloads and computations, obligations, billing, audit, trust and the ledger explorer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from silkgate.api._auth import AnyRole, PlatformDep, requires
from silkgate.compute import TaskSpec
from silkgate.domain import AccessDenied, NotFound
from silkgate.exchange import (
    AuditEntry,
    CatalogEntry,
    Invoice,
    Offer,
    OfferRequest,
    Order,
    Principal,
    TrustScore,
    UsageRecord,
    to_csv,
)
from silkgate.gate import (
    AccessRequest,
    ComputeOutcome,
    Download,
    GateDecision,
    ledger_blocks,
    ledger_proof,
)

router = APIRouter(prefix="/api/v1")

Owner = Annotated[Principal, Depends(requires("data_owner"))]
Consumer = Annotated[Principal, Depends(requires("data_consumer"))]
Party = Annotated[Principal, Depends(requires("data_owner", "data_consumer"))]
Auditor = Annotated[Principal, Depends(requires("auditor", "regulator"))]
Regulator = Annotated[Principal, Depends(requires("regulator"))]
Admin = Annotated[Principal, Depends(requires("admin"))]
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def _actor(principal: Principal) -> str | None:
    """The party a token acts for; admins act for any (None), others need a party."""
    if "admin" in principal.roles:
        return None
    if principal.party_id is None:
        raise AccessDenied(f"token {principal.token_id} belongs to no party")
    return principal.party_id


class PublishRequest(BaseModel):
    owner: str | None = Field(None, pattern=_SLUG, description="default: the token's party")
    dataset_id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    path: str = Field(min_length=1, max_length=1000, description="a file in HOME/data/OWNER")
    policies: dict[str, str] = Field(min_length=1, description="policy id → Cedar text")
    important_data: bool = False
    description: str = Field("", max_length=2000)
    keywords: list[str] = Field(default_factory=list, max_length=20)


class TerminateRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class AgreeRequest(BaseModel):
    scopes: list[str] | None = None


class EvidenceRequest(BaseModel):
    evidence: str = Field(min_length=1, max_length=500)


class ComputeRequest(BaseModel):
    tasks: list[TaskSpec] = Field(min_length=1, max_length=10)


class InvoiceRequest(BaseModel):
    party: str = Field(pattern=_SLUG)
    period: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")


class SignalRequest(BaseModel):
    kind: Literal["alert", "alert_cleared", "node_unavailable", "node_available",
                  "budget_exhausted"]  # fmt: skip
    detail: dict[str, str] = Field(default_factory=dict)


class BlockOut(BaseModel):
    number: int
    hash: str
    previous_hash: str
    merkle_root: str
    timestamp: str
    transactions: list[dict[str, Any]]


class ProofOut(BaseModel):
    tx_id: str
    block: int
    merkle_root: str
    proof: dict[str, Any]
    verified: bool


# catalog -------------------------------------------------------------------------------------
@router.get("/catalog", tags=["catalog"])
def search_catalog(
    platform: PlatformDep, _caller: AnyRole, q: str | None = Query(None, max_length=200),
    location: str | None = Query(None, max_length=8),
    category: str | None = Query(None, max_length=40),
) -> list[CatalogEntry]:  # fmt: skip
    if not platform.has_ledger():
        return []
    return platform.exchange.catalog.search(q, location=location, category=category)


@router.get("/catalog/dcat", tags=["catalog"])
def catalog_dcat(platform: PlatformDep, _caller: AnyRole) -> dict[str, Any]:
    if not platform.has_ledger():
        return {"@type": "dcat:Catalog", "dcat:dataset": []}
    exchange = platform.exchange
    return exchange.catalog.dcat(exchange.orders.offers())


@router.get("/catalog/{dataset_id}", tags=["catalog"])
def catalog_entry(dataset_id: str, platform: PlatformDep, _caller: AnyRole) -> CatalogEntry:
    if not platform.has_ledger():
        raise NotFound(f"dataset {dataset_id!r} is not in the catalog", field="dataset")
    return platform.exchange.catalog.entry(dataset_id)


@router.post("/catalog", status_code=status.HTTP_201_CREATED, tags=["catalog"])
def publish(body: PublishRequest, platform: PlatformDep, caller: Owner) -> CatalogEntry:
    actor = _actor(caller)
    owner = body.owner or actor
    if owner is None:
        raise NotFound("name the owner", field="owner")
    if actor is not None and owner != actor:
        raise AccessDenied(f"a token of {actor} cannot publish for {owner}")
    return platform.publish_file(
        owner, body.dataset_id, body.name, Path(body.path), policies=body.policies,
        important_data=body.important_data, description=body.description,
        keywords=body.keywords,
    )  # fmt: skip


# offers and orders -----------------------------------------------------------------------------
@router.get("/offers", tags=["orders"])
def list_offers(
    platform: PlatformDep, _caller: AnyRole, dataset_id: str | None = Query(None, max_length=63)
) -> list[Offer]:
    return platform.exchange.orders.offers(dataset_id) if platform.has_ledger() else []


@router.post("/offers", status_code=status.HTTP_201_CREATED, tags=["orders"])
def add_offer(body: OfferRequest, platform: PlatformDep, caller: Owner) -> Offer:
    actor = _actor(caller)
    owner = actor or platform.exchange.catalog.entry(body.dataset_id).dataset.owner
    return platform.exchange.orders.add_offer(owner, body)


@router.get("/orders", tags=["orders"])
def list_orders(platform: PlatformDep, caller: AnyRole) -> list[Order]:
    if not platform.has_ledger():
        return []
    party = None if caller.has_any(("auditor", "regulator")) else _actor(caller)
    return platform.exchange.orders.orders(party=party)


@router.get("/orders/{order_id}", tags=["orders"])
def get_order(order_id: str, platform: PlatformDep, _caller: AnyRole) -> Order:
    if not platform.has_ledger():
        raise NotFound(f"no order {order_id!r}", field="order_id")
    return platform.exchange.orders.order(order_id)


@router.post("/orders/{order_id}/offer", tags=["orders"])
def offer_terms(order_id: str, platform: PlatformDep, caller: Owner) -> Order:
    return platform.exchange.orders.make_offer(order_id, actor=_actor(caller))


@router.post("/orders/{order_id}/agree", tags=["orders"])
def agree(order_id: str, body: AgreeRequest, platform: PlatformDep, caller: Owner) -> Order:
    return platform.exchange.orders.agree(order_id, scopes=body.scopes, actor=_actor(caller))


@router.post("/orders/{order_id}/finalize", tags=["orders"])
def finalize(order_id: str, platform: PlatformDep, caller: Party) -> Order:
    return platform.exchange.orders.finalize(order_id, actor=_actor(caller))


@router.post("/orders/{order_id}/terminate", tags=["orders"])
def terminate(order_id: str, body: TerminateRequest, platform: PlatformDep, caller: Party) -> Order:
    return platform.exchange.orders.terminate(order_id, body.reason, actor=_actor(caller))


@router.post("/orders/{order_id}/download", tags=["gate"])
def download(order_id: str, platform: PlatformDep, caller: Consumer) -> Download:
    return platform.download(order_id, actor=_actor(caller))


@router.post("/orders/{order_id}/compute", tags=["gate"])
def compute(
    order_id: str, body: ComputeRequest, platform: PlatformDep, caller: Consumer
) -> list[ComputeOutcome]:
    return platform.compute(order_id, body.tasks, actor=_actor(caller))


# the gate ------------------------------------------------------------------------------------
@router.post("/requests", status_code=status.HTTP_201_CREATED, tags=["gate"])
def request_access(body: AccessRequest, platform: PlatformDep, caller: Consumer) -> GateDecision:
    return platform.gate.decide(body, actor=_actor(caller))


@router.get("/decisions", tags=["gate"])
def list_decisions(
    platform: PlatformDep, caller: AnyRole, verdict: str | None = Query(None, max_length=16)
) -> list[GateDecision]:
    party = None if caller.has_any(("auditor", "regulator")) else _actor(caller)
    found = platform.gate.decisions(party=party)
    return [d for d in found if verdict is None or d.verdict == verdict]


@router.get("/decisions/{decision_id}", tags=["gate"])
def get_decision(decision_id: str, platform: PlatformDep, _caller: AnyRole) -> GateDecision:
    return platform.gate.decision(decision_id)


@router.post("/obligations/{obligation_id}/meet", tags=["gate"])
def meet_obligation(
    obligation_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)],
    body: EvidenceRequest,
    platform: PlatformDep,
    caller: Party,
) -> GateDecision:
    return platform.gate.meet_obligation(obligation_id, evidence=body.evidence,
                                         actor=_actor(caller))  # fmt: skip


# billing, audit, trust --------------------------------------------------------------------------
@router.get("/usage", tags=["billing"])
def list_usage(platform: PlatformDep, caller: AnyRole) -> list[UsageRecord]:
    if not platform.has_ledger():
        return []
    party = None if caller.has_any(("auditor", "regulator")) else _actor(caller)
    return platform.exchange.billing.usage(party=party)


@router.get("/invoices", tags=["billing"])
def list_invoices(platform: PlatformDep, caller: AnyRole) -> list[Invoice]:
    if not platform.has_ledger():
        return []
    party = None if caller.has_any(("auditor", "regulator")) else _actor(caller)
    return platform.exchange.billing.invoices(party=party)


@router.post("/invoices", status_code=status.HTTP_201_CREATED, tags=["billing"])
def make_invoice(body: InvoiceRequest, platform: PlatformDep, _caller: Admin) -> Invoice:
    platform.registry.party(body.party)
    return platform.exchange.billing.invoice(body.party, body.period)


def _audit_response(entries: list[AuditEntry], fmt: str) -> Response:
    if fmt == "csv":
        return PlainTextResponse(to_csv(entries), media_type="text/csv")
    return Response(
        "[" + ",".join(e.model_dump_json() for e in entries) + "]", media_type="application/json"
    )


@router.get("/audit/datasets/{dataset_id}", tags=["audit"], response_model=list[AuditEntry])
def audit_dataset(
    dataset_id: str, platform: PlatformDep, _caller: Auditor,
    format: Literal["json", "csv"] = "json",
) -> Response:  # fmt: skip
    if not platform.has_ledger():
        raise NotFound(f"dataset {dataset_id!r} is not in the catalog", field="dataset")
    platform.exchange.catalog.entry(dataset_id)
    return _audit_response(platform.exchange.audit.for_dataset(dataset_id), format)


@router.get("/audit/parties/{party_id}", tags=["audit"], response_model=list[AuditEntry])
def audit_party(
    party_id: str, platform: PlatformDep, _caller: Auditor,
    format: Literal["json", "csv"] = "json",
) -> Response:  # fmt: skip
    platform.registry.party(party_id)
    if not platform.has_ledger():
        return _audit_response([], format)
    return _audit_response(platform.exchange.audit.for_party(party_id), format)


@router.get("/trust", tags=["trust"])
def trust_scores(platform: PlatformDep, _caller: AnyRole) -> list[TrustScore]:
    if not platform.has_ledger():
        return []
    return platform.exchange.trust.scores()


@router.post("/trust/{party_id}/signals", tags=["trust"])
def trust_signal(
    party_id: str, body: SignalRequest, platform: PlatformDep, _caller: Regulator
) -> TrustScore:
    platform.registry.party(party_id)
    return platform.exchange.trust.signal(party_id, body.kind, dict(body.detail))


# ledger explorer ------------------------------------------------------------------------------
@router.get("/ledger/blocks", tags=["ledger"])
def explore_blocks(
    platform: PlatformDep, _caller: AnyRole, limit: int = Query(20, ge=1, le=200)
) -> list[BlockOut]:
    if not platform.has_ledger():
        return []
    return [BlockOut.model_validate(b) for b in ledger_blocks(platform, limit)]


@router.get("/ledger/transactions/{tx_id}/proof", tags=["ledger"])
def explore_proof(tx_id: str, platform: PlatformDep, _caller: AnyRole) -> ProofOut:
    if not platform.has_ledger():
        raise NotFound(f"no transaction {tx_id!r}", field="tx_id")
    return ProofOut.model_validate(ledger_proof(platform, tx_id))
