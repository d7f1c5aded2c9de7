"""Signing in to the dashboard: the API token, kept in an HttpOnly cookie.

The login form takes an API token (from `silkgate token create` or ``POST /api/v1/tokens``),
checks it with ``Accounts.authenticate`` and keeps it in a cookie the page's scripts cannot
read (HttpOnly), that no other site's request carries (SameSite=Strict) and that travels only
over HTTPS when the dashboard is served over HTTPS (Secure). Every data page authenticates the
cookie again, so a revoked token signs its holder out at the next click. Form posts from
another origin are refused. The cookie holds the token itself: anyone who reads it from the
browser's profile holds the token (docs/limitations.md).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request

from silkgate.domain import AccessDenied, Unauthenticated
from silkgate.exchange import Principal, Role, require_role
from silkgate.gate import Platform

COOKIE = "silkgate_token"
MAX_AGE_S = 8 * 3600


class LoginRequired(Exception):
    """The page needs a signed-in viewer; answered with a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """The viewer is signed in but may not see the page; answered with a 403 page."""


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def viewer_of(request: Request) -> Principal | None:
    """Who the cookie says is looking, or None (no cookie, or an unknown or revoked token)."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    try:
        return platform_of(request).accounts.authenticate(secret)
    except Unauthenticated:
        return None


def signed_in(request: Request) -> Principal:
    viewer = viewer_of(request)
    if viewer is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return viewer


Viewer = Annotated[Principal, Depends(signed_in)]


def require(viewer: Principal, *roles: Role) -> None:
    try:
        require_role(viewer, *roles)
    except AccessDenied as exc:
        raise Forbidden(str(exc)) from None


def scope_of(viewer: Principal) -> str | None:
    """The party whose records the viewer sees, None for all: as the REST API scopes them."""
    if viewer.has_any(("auditor", "regulator")):
        return None
    if viewer.party_id is None:
        raise Forbidden(f"token {viewer.token_id} belongs to no party")
    return viewer.party_id


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the overview (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def login_url(next_path: str) -> str:
    return "/login?" + urlencode({"next": safe_next(next_path)})


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site (browsers send Origin with every POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"
