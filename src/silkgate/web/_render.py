"""Rendering a page: the Jinja2 templates, their filters and what every page shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from silkgate import __version__
from silkgate.web._areas import AREAS, Area, area
from silkgate.web._session import viewer_of

ROOT = Path(str(files("silkgate.web")))
templates = Jinja2Templates(directory=ROOT / "templates")
_PAGES = {
    "login": Area("login", "Sign in", "Data pages need an API token of a platform user."),
    "forbidden": Area("forbidden", "Not for this token", "The page needs another role."),
    "not_found": Area("not_found", "Not found", "No such page or record."),
}


def _when(value: dt.datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            return _when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo else "")


def _money(value: Decimal | float | int) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


def _short(value: str | None, length: int = 12) -> str:
    if not value:
        return "—"
    return value if len(value) <= length + 1 else value[:length] + "…"


templates.env.filters["when"] = _when
templates.env.filters["money"] = _money
templates.env.filters["short"] = _short


def render(
    request: Request, template: str, slug: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` with the navigation, the viewer and ``context``."""
    active = _PAGES[slug] if slug in _PAGES else area(slug)
    base = {"areas": AREAS, "active": active, "version": __version__,
            "viewer": viewer_of(request)}  # fmt: skip
    return templates.TemplateResponse(request, template, base | context, status_code=status_code)
