"""What the global options decide, handed to every command through Typer's context."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from silkgate.config import Settings, load_settings


@dataclass(slots=True)
class CliState:
    data_dir: Path | None
    config_file: Path | None
    as_json: bool
    debug: bool
    console: Console

    def settings(self) -> Settings:
        return load_settings(self.data_dir, self.config_file)

    def emit(self, payload: Any) -> None:
        """Print ``payload`` as one JSON document on stdout."""
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=None, default=str))


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
