"""Bearer-token authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from silkgate.exchange import Principal, Role, require_role
from silkgate.gate import Platform

_bearer = HTTPBearer(auto_error=False, description="API token from `silkgate token create`")


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    secret = credentials.credentials if credentials is not None else None
    return get_platform(request).accounts.authenticate(secret)


def requires(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits callers holding one of ``roles`` (admin holds all)."""

    def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        require_role(principal, *roles)
        return principal

    return _check


PlatformDep = Annotated[Platform, Depends(get_platform)]
AnyRole = Annotated[
    Principal,
    Depends(requires("admin", "data_owner", "data_consumer", "auditor", "regulator")),
]
AdminOnly = Annotated[Principal, Depends(requires("admin"))]
