"""Billing: metered usage of downloads and compute tasks, and the invoices made from it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of, scope_of

router = APIRouter(include_in_schema=False)


@router.get("/billing", response_class=HTMLResponse)
def billing(request: Request, viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    party = scope_of(viewer)
    usage, invoices = [], []
    if platform.has_ledger():
        usage = list(reversed(platform.exchange.billing.usage(party=party)))
        invoices = list(reversed(platform.exchange.billing.invoices(party=party)))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for record in usage:
        totals[(record.party, record.currency)] += record.amount
    most = max(totals.values(), default=Decimal(0))
    bars = [{"party": p, "currency": c, "amount": a,
             "width": int(100 * a / most) if most else 0}
            for (p, c), a in sorted(totals.items())]  # fmt: skip
    return render(request, "billing.html", "billing", usage=usage, invoices=invoices, bars=bars,
                  party=party)  # fmt: skip
