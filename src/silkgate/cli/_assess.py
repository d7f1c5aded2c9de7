"""`silkgate assess`: one proposed flow in, one Decision out (docs/contracts.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._state import state
from silkgate.domain import InvalidInput, NotFound, TransferRequest
from silkgate.rules import assess as assess_request
from silkgate.rules import explain


def _read_request(path: Path) -> TransferRequest:
    if not path.is_file():
        raise NotFound(f"no such file: {path}", field="REQUEST")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not JSON ({exc})", field="REQUEST") from None
    return TransferRequest.model_validate(document)


def assess(
    ctx: typer.Context,
    request: Annotated[Path, typer.Argument(help="TransferRequest as JSON (docs/contracts.md)")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="law in force on YYYY-MM-DD [request date]")
    ] = None,
    explain_trace: Annotated[
        bool, typer.Option("--explain", help="a readable why-trace instead of JSON")
    ] = False,
) -> None:
    """Assess one proposed cross-border flow under the law of both ends; print a Decision."""
    cli = state(ctx)
    day = _parse_day(as_of) if as_of is not None else None
    decision = assess_request(_read_request(request), as_of=day)
    if explain_trace:
        typer.echo(explain(decision))
    else:
        cli.emit(decision.model_dump(mode="json"))


def _parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date YYYY-MM-DD", field="--as-of") from None
