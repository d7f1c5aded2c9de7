"""The public pages: the overview of the consortium and the catalog of published datasets."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from silkgate.domain import CATEGORIES, Dataset, Party, jurisdiction
from silkgate.exchange import CatalogEntry, Offer
from silkgate.web._render import render
from silkgate.web._session import platform_of

router = APIRouter(include_in_schema=False)


def _party_view(party: Party, datasets: list[Dataset]) -> dict[str, object]:
    owned = [d for d in datasets if d.owner == party.id]
    return {"id": party.id, "name": party.name, "code": party.jurisdiction,
            "jurisdiction": jurisdiction(party.jurisdiction).name, "roles": sorted(party.roles),
            "datasets": len(owned), "rows": sum(d.rows for d in owned)}  # fmt: skip


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    platform = platform_of(request)
    parties = platform.registry.parties()
    datasets = platform.registry.datasets()
    return render(
        request, "overview.html", "overview",
        parties=[_party_view(p, datasets) for p in parties], datasets=datasets,
        grades=Counter(d.grade for d in datasets), rows_total=sum(d.rows for d in datasets),
        subjects_total=sum(d.subjects for d in datasets),
    )  # fmt: skip


@router.get("/catalog", response_class=HTMLResponse)
def catalog(
    request: Request,
    q: str | None = Query(None, max_length=200),
    location: str | None = Query(None, max_length=8),
    category: str | None = Query(None, max_length=40),
) -> HTMLResponse:
    platform = platform_of(request)
    parties = {p.id: p for p in platform.registry.parties()}
    searching = bool(q or location or category)
    entries: dict[str, CatalogEntry] = {}
    offers: dict[str, list[Offer]] = defaultdict(list)
    if platform.has_ledger():
        exchange = platform.exchange
        found = exchange.catalog.search(q, location=location or None, category=category or None)
        entries = {e.dataset.id: e for e in found}
        for offer in exchange.orders.offers():
            offers[offer.dataset_id].append(offer)
    datasets = [d for d in platform.registry.datasets() if not searching or d.id in entries]
    rows: list[dict[str, Any]] = [
        {"dataset": d, "owner": parties.get(d.owner), "entry": entries.get(d.id),
         "offers": offers.get(d.id, []),
         "categories": [CATEGORIES[c].label_en for c in sorted(d.categories)]}
        for d in datasets
    ]  # fmt: skip
    return render(
        request, "catalog.html", "catalog", rows=rows, q=q or "", location=location or "",
        category=category or "", searching=searching,
        locations=sorted({d.location for d in platform.registry.datasets()}),
        category_choices=sorted((c, CATEGORIES[c].label_en) for c in CATEGORIES),
    )  # fmt: skip


@router.get("/{slug}", response_class=HTMLResponse, include_in_schema=False)
def unknown(request: Request, slug: str) -> HTMLResponse:
    return render(request, "not_found.html", "not_found", status_code=404, what=f"page /{slug}")
