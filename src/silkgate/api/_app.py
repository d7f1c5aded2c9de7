"""The FastAPI application: REST under /api/v1, dashboard at /, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from silkgate import __version__
from silkgate.api._errors import install_error_handlers
from silkgate.api._exchange_routes import router as exchange_router
from silkgate.api._monitor_routes import router as monitor_router
from silkgate.api._routes import public, v1
from silkgate.config import Settings
from silkgate.gate import Platform
from silkgate.web import install_dashboard


def create_app(settings: Settings, platform: Platform | None = None) -> FastAPI:
    """Build the app; it opens its own Platform unless one is handed in (and then keeps it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = platform is None
        app.state.platform = platform or Platform(settings)
        try:
            yield
        finally:
            if owned:
                app.state.platform.close()

    app = FastAPI(
        title="silkgate",
        version=__version__,
        description="Governance gateway for cross-border data flows between China and ASEAN.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(public)
    app.include_router(v1)
    app.include_router(exchange_router)
    app.include_router(monitor_router)
    install_dashboard(app)
    return app


def serve(settings: Settings, *, host: str, port: int) -> None:
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
