"""The login form and sign-out: a dashboard session opened and closed, its secret in a cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkgate.domain import Unauthenticated
from silkgate.web._render import render
from silkgate.web._session import COOKIE, Forbidden, platform_of, safe_next, same_origin

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", "login", next=safe_next(next), error=None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    if not same_origin(request):
        raise Forbidden("the login form was posted from another site")
    target, secret = safe_next(next), token.strip()
    try:
        session = platform_of(request).accounts.open_session(secret)
    except Unauthenticated as exc:
        return render(request, "login.html", "login", status_code=401, next=target,
                      error=str(exc))  # fmt: skip
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, session.secret, expires=session.expires_at, path="/",
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    if not same_origin(request):
        raise Forbidden("the sign-out form was posted from another site")
    platform_of(request).accounts.close_session(request.cookies.get(COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
