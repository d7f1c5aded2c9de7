"""The audit trail of a dataset or of a party, on screen and as CSV or JSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from silkgate.domain import NotFound
from silkgate.exchange import AuditEntry, to_csv, to_json
from silkgate.gate import Platform
from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of, require

router = APIRouter(include_in_schema=False)
Subject = Literal["dataset", "party"]


def _trail(platform: Platform, subject: Subject, key: str) -> list[AuditEntry]:
    if subject == "party":
        platform.registry.party(key)
        return platform.exchange.audit.for_party(key) if platform.has_ledger() else []
    if not platform.has_ledger():
        raise NotFound(f"dataset {key!r} is not in the catalog", field="dataset")
    platform.exchange.catalog.entry(key)
    return platform.exchange.audit.for_dataset(key)


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, viewer: Viewer, dataset: str | None = Query(None, max_length=63),
    party: str | None = Query(None, max_length=63),
) -> HTMLResponse:  # fmt: skip
    require(viewer, "auditor", "regulator")
    platform = platform_of(request)
    datasets = [e.dataset for e in platform.exchange.catalog.entries()] if (
        platform.has_ledger()) else []  # fmt: skip
    subject: Subject | None = "party" if party else "dataset" if dataset else None
    key = party or dataset or ""
    entries: list[AuditEntry] = []
    error = None
    if subject is not None:
        try:
            entries = _trail(platform, subject, key)
        except NotFound as exc:
            error = str(exc)
    return render(request, "audit.html", "audit", datasets=datasets,
                  parties=platform.registry.parties(), subject=subject, key=key,
                  entries=entries, error=error,
                  status_code=404 if error else 200)  # fmt: skip


@router.get("/audit/{subject}/{key}.{fmt}")
def export(
    request: Request, subject: Subject, key: str, fmt: Literal["csv", "json"], viewer: Viewer
) -> Response:
    require(viewer, "auditor", "regulator")
    try:
        entries = _trail(platform_of(request), subject, key)
    except NotFound as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    filename = f"audit-{subject}-{key}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(to_csv(entries), media_type="text/csv", headers=headers)
    return Response(to_json(entries), media_type="application/json", headers=headers)
