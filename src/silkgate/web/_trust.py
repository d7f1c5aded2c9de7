"""Trust: each party's score with its weighted factors; suspended parties are marked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silkgate.exchange import RESTORE_AT, SUSPEND_BELOW, WEIGHTS
from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of

router = APIRouter(include_in_schema=False)


@router.get("/trust", response_class=HTMLResponse)
def trust(request: Request, _viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    scores = platform.exchange.trust.scores() if platform.has_ledger() else []
    names = {p.id: p.name for p in platform.registry.parties()}
    return render(request, "trust.html", "trust", scores=scores, names=names, weights=WEIGHTS,
                  suspend_below=SUSPEND_BELOW, restore_at=RESTORE_AT)  # fmt: skip
