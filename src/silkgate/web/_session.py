"""Signing in to the dashboard: a server-side session opened with an API token.

The login form takes an API token (from `silkgate token create` or ``POST /api/v1/tokens``)
and opens a session for it (``Accounts.open_session``); the cookie holds only the session's
random secret, never the token, in a cookie the page's scripts cannot read (HttpOnly), that
no other site's request carries (SameSite=Strict) and that travels only over HTTPS when the
dashboard is served over HTTPS (Secure). Every data page checks the session again, so
signing out, the session's expiry (8 hours) or a revoked token signs its holder out at the
next click, whoever holds a copy of the cookie. Form posts from another origin are refused.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request

from silkgate.domain import AccessDenied, Unauthenticated
from silkgate.exchange import Principal, Role, require_role
from silkgate.gate import Platform

COOKIE = "silkgate_session"


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
    """Who the cookie's session says is looking, or None (no open session, revoked token)."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    try:
        return platform_of(request).accounts.session_principal(secret)
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
