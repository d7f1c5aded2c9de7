"""Server-rendered dashboard pages: one per area of the platform."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from silkgate import __version__
from silkgate.domain import CATEGORIES, Dataset, Party, jurisdiction
from silkgate.gate import Platform

_ROOT = Path(str(files("silkgate.web")))
templates = Jinja2Templates(directory=_ROOT / "templates")
dashboard_router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Area:
    slug: str
    title: str
    summary: str


AREAS: tuple[Area, ...] = (
    Area("overview", "Overview", "The consortium, its members and their data at a glance."),
    Area("transfers", "Transfers", "Requests through the gate: verdicts, obligations, downloads."),
    Area("catalog", "Catalog", "Datasets registered by their owners, with grade and categories."),
    Area("ledger", "Ledger", "Blocks, transactions and grants of the consortium chain."),
    Area("compute", "Compute", "Party nodes and privacy-computing tasks (PSI, MPC, HE, DP, FL)."),
    Area("monitor", "Monitor", "Alerts, anomaly scores and forecasts of cross-border flows."),
)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=_ROOT / "static"), name="static")


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _context(request: Request, active: str) -> dict[str, object]:
    platform = _platform(request)
    parties = platform.registry.parties()
    datasets = platform.registry.datasets()
    return {
        "areas": AREAS,
        "active": next(a for a in AREAS if a.slug == active),
        "version": __version__,
        "parties": [_party_view(p, datasets) for p in parties],
        "datasets": [_dataset_view(d, parties) for d in datasets],
        "grades": Counter(d.grade for d in datasets),
        "rows_total": sum(d.rows for d in datasets),
        "subjects_total": sum(d.subjects for d in datasets),
    }


def _party_view(party: Party, datasets: list[Dataset]) -> dict[str, object]:
    owned = [d for d in datasets if d.owner == party.id]
    return {
        "id": party.id,
        "name": party.name,
        "jurisdiction": jurisdiction(party.jurisdiction).name,
        "code": party.jurisdiction,
        "roles": sorted(party.roles),
        "datasets": len(owned),
        "rows": sum(d.rows for d in owned),
    }


def _dataset_view(dataset: Dataset, parties: list[Party]) -> dict[str, object]:
    owner = next((p.name for p in parties if p.id == dataset.owner), dataset.owner)
    return {
        "id": dataset.id,
        "name": dataset.name,
        "owner": owner,
        "location": dataset.location,
        "rows": dataset.rows,
        "subjects": dataset.subjects,
        "grade": dataset.grade,
        "categories": [CATEGORIES[c].label_en for c in sorted(dataset.categories)],
        "format": dataset.format,
    }


def _page(request: Request, template: str, area: str) -> HTMLResponse:
    return templates.TemplateResponse(request, template, _context(request, area))


@dashboard_router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    return _page(request, "overview.html", "overview")


@dashboard_router.get("/catalog", response_class=HTMLResponse)
def catalog(request: Request) -> HTMLResponse:
    return _page(request, "catalog.html", "catalog")


@dashboard_router.get("/{area}", response_class=HTMLResponse)
def area_page(request: Request, area: str) -> HTMLResponse:
    if area not in {a.slug for a in AREAS}:
        return templates.TemplateResponse(
            request, "not_found.html", _context(request, "overview"), status_code=404
        )
    return _page(request, "area.html", area)
