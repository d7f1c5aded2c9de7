"""The ledger explorer: recent blocks with their transactions, a transaction's inclusion proof."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkgate.domain import InvalidInput
from silkgate.gate import ledger_blocks, ledger_proof
from silkgate.web._render import render
from silkgate.web._session import Viewer, platform_of

router = APIRouter(include_in_schema=False)
MAX_BLOCKS = 200


@router.get("/ledger", response_model=None)
def ledger(
    request: Request, _viewer: Viewer, limit: int = Query(10, ge=1, le=MAX_BLOCKS),
    tx: str | None = Query(None, max_length=128),
) -> Response:  # fmt: skip
    if tx:
        return RedirectResponse(f"/ledger/tx/{tx.strip()}", status_code=303)
    platform = platform_of(request)
    blocks = ledger_blocks(platform, limit) if platform.has_ledger() else []
    height = blocks[0]["number"] + 1 if blocks else 0
    return render(request, "ledger.html", "ledger", blocks=blocks, height=height, limit=limit)


@router.get("/ledger/tx/{tx_id}", response_class=HTMLResponse)
def transaction(request: Request, tx_id: str, _viewer: Viewer) -> HTMLResponse:
    platform = platform_of(request)
    try:
        if not platform.has_ledger():
            raise InvalidInput("no ledger yet", field="tx_id")
        proof = ledger_proof(platform, tx_id)
    except InvalidInput:
        return render(request, "not_found.html", "not_found", status_code=404,
                      what=f"transaction {tx_id}")  # fmt: skip
    # blocks are read newest first; an old block's transactions are left out, not searched for
    newest = ledger_blocks(platform, 1)[0]["number"]
    back = newest - proof["block"] + 1
    recent = ledger_blocks(platform, back) if back <= MAX_BLOCKS else []
    block = next((b for b in recent if b["number"] == proof["block"]), None)
    tx = None
    if block is not None:
        tx = next((t for t in block["transactions"] if t["tx_id"] == tx_id), None)
    return render(request, "transaction.html", "ledger", proof=proof, block=block, tx=tx)
