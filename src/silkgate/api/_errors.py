"""One place that maps silkgate's exceptions to HTTP answers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from silkgate.domain import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    SilkgateError,
    Unauthenticated,
)

log = logging.getLogger("silkgate.api")


def status_for(error: SilkgateError) -> int:
    """HTTP status of an exception class; the order puts subclasses before their bases."""
    for cls, status in (
        (NotFound, 404),
        (Conflict, 409),
        (InvalidInput, 400),
        (Unauthenticated, 401),
        (AccessDenied, 403),
    ):
        if isinstance(error, cls):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SilkgateError)
    async def _silkgate_error(_request: Request, exc: SilkgateError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("internal error: %s", type(exc).__name__)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = {"error": type(exc).__name__, "detail": str(exc), "field": exc.field}
        return JSONResponse(body, status_code=status, headers=headers)
