"""Orders and the gate's decisions: where each negotiation stands, and why each verdict."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from silkgate.domain import NotFound
from silkgate.exchange import Order
from silkgate.gate import GATE_VERDICTS
from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of, scope_of

router = APIRouter(include_in_schema=False)
MAIN_STATES = ("requested", "offered", "agreed", "finalized")


def steps(order: Order) -> list[dict[str, Any]]:
    """The order's position in the Dataspace Protocol's negotiation, one entry per state."""
    reached = {t.state: t for t in order.transitions}
    found = [{"state": s, "reached": s in reached, "current": s == order.state,
              "at": reached[s].at if s in reached else None,
              "tx_id": reached[s].tx_id if s in reached else None}
             for s in MAIN_STATES]  # fmt: skip
    if order.state == "terminated":
        last = reached.get("terminated")
        found.append({"state": "terminated", "reached": True, "current": True,
                      "at": last.at if last else None, "tx_id": last.tx_id if last else None,
                      "note": last.note if last else ""})  # fmt: skip
    return found


@router.get("/orders", response_class=HTMLResponse)
def orders(request: Request, viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    party = scope_of(viewer)
    found = platform.exchange.orders.orders(party=party) if platform.has_ledger() else []
    rows = [{"order": o, "steps": steps(o)} for o in reversed(found)]
    return render(request, "orders.html", "orders", rows=rows, party=party)


@router.get("/decisions", response_class=HTMLResponse)
def decisions(
    request: Request, viewer: Viewer, verdict: str | None = Query(None, max_length=16)
) -> HTMLResponse:
    platform = platform_of(request)
    party = scope_of(viewer)
    found = platform.gate.decisions(party=party) if platform.has_ledger() else []
    shown = [d for d in reversed(found) if not verdict or d.verdict == verdict]
    return render(request, "decisions.html", "decisions", decisions=shown, party=party,
                  verdict=verdict or "", verdicts=GATE_VERDICTS)  # fmt: skip


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision(request: Request, decision_id: str, viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    party = scope_of(viewer)
    try:
        found = platform.gate.decision(decision_id)
    except NotFound:
        found = None
    if found is None or (party is not None and party not in (found.requester, found.owner)):
        return render(request, "not_found.html", "not_found", status_code=404,
                      what=f"decision {decision_id}")  # fmt: skip
    order = platform.exchange.orders.order(found.order_id) if found.order_id else None
    return render(request, "decision.html", "decisions", decision=found, order=order,
                  steps=steps(order) if order else [])  # fmt: skip
