"""Commands that run something: demo and serve."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from silkgate.cli._state import state


def demo(
    ctx: typer.Context,
    rows: Annotated[int, typer.Option(help="rows per sample dataset", min=10)] = 20_000,
    seed: Annotated[int, typer.Option(help="seed of the sample data")] = 7,
) -> None:
    """Set up a CN–SG–VN–TH consortium with sample datasets in a fresh data directory."""
    from silkgate.demo import run_demo

    cli = state(ctx)
    settings = cli.settings()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=cli.console,
        transient=cli.as_json,
        disable=cli.as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        result = run_demo(settings, rows=rows, seed=seed, progress=report)
    if cli.as_json:
        cli.emit(result.as_json())
        return
    table = Table("dataset", "owner", "rows", "subjects", "grade", "categories", title="datasets")
    for sample in result.samples:
        d = sample.dataset
        table.add_row(
            d.id,
            d.owner,
            f"{d.rows:,}",
            f"{d.subjects:,}",
            d.grade,
            ", ".join(sorted(d.categories)),
        )
    cli.console.print(table)
    if result.decisions:
        verdicts = Table("request", "route", "verdict", "why", "first citation", title="decisions")
        for decision in result.decisions:
            reasons = decision.get("reasons") or [""]
            citations = decision.get("citations") or [""]
            verdicts.add_row(
                str(decision.get("story", decision.get("id", ""))),
                str(decision.get("route", "")),
                f"[bold]{decision.get('verdict', '')}[/]",
                str(reasons[0]),
                str(citations[0]),
            )
        cli.console.print(verdicts)
    for stage, figures in result.stages.items():
        scalars = {k: v for k, v in figures.items() if isinstance(v, str | int | float | bool)}
        cli.console.print(f"[bold]{stage}[/] " + ", ".join(f"{k}={v}" for k, v in scalars.items()))
    cli.console.print(
        f"data directory: {settings.home}  ·  details: --json  ·  next: silkgate serve"
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port", min=1, max=65535)] = None,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json) and the dashboard at /."""
    from silkgate.api import serve as serve_api

    settings = state(ctx).settings()
    serve_api(settings, host=host or settings.api.host, port=port or settings.api.port)
