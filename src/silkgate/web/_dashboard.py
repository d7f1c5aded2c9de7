"""Mounting the dashboard on the app: its pages, static files and its answers to errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from silkgate.web import (
    _audit,
    _billing,
    _compute,
    _ledger,
    _login,
    _monitor,
    _orders,
    _overview,
    _trust,
)
from silkgate.web._render import ROOT, render
from silkgate.web._session import Forbidden, LoginRequired, login_url

# the overview's router ends in a catch-all ``/{slug}``: it goes last
_ROUTERS = (_login.router, _orders.router, _ledger.router, _compute.router, _billing.router,
            _audit.router, _trust.router, _monitor.router, _overview.router)  # fmt: skip


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages (public overview and catalog; the rest after signing in)."""
    for router in _ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Exception) -> HTMLResponse:
        return render(request, "forbidden.html", "forbidden", status_code=403, reason=str(exc))
