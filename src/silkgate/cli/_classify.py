"""`silkgate classify`: one file in, one classification report out (docs/contracts.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from silkgate.cli._state import state
from silkgate.domain import NotFound


def classify(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV, Parquet, JSON Lines or text file")],
    format: Annotated[
        Literal["auto", "csv", "parquet", "jsonl", "text"],
        typer.Option("--format", help="how to read PATH"),
    ] = "auto",
) -> None:
    """Find personal and sensitive data in a table or text; print one JSON report."""
    from silkgate.classify import classify_path

    cli = state(ctx)
    if not path.exists():
        raise NotFound(f"no such file: {path}", field="PATH")
    cli.emit(classify_path(path, format).model_dump(mode="json"))
