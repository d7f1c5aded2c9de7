"""`silkgate compute submit|status|result|cancel` and `silkgate node`: shells over compute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from silkgate.cli._state import state
from silkgate.domain import InvalidInput, NotFound

if TYPE_CHECKING:
    from silkgate.compute import TaskRecord

compute_app = typer.Typer(
    help="Privacy-computing tasks at the parties' nodes: submit, status, result, cancel.",
    no_args_is_help=True,
)


def _summary(record: TaskRecord) -> dict[str, Any]:
    return record.summary() | {"metering": {p: m.model_dump() for p, m in record.metering.items()}}


@compute_app.command("submit")
def submit(
    ctx: typer.Context,
    task_file: Annotated[Path, typer.Argument(help="task spec as JSON", metavar="TASK.json")],
    timeout_s: Annotated[float | None, typer.Option(help="stop waiting after this long")] = None,
) -> None:
    """Validate a task, run it at the nodes and print its record and result."""
    from silkgate.compute import ComputeHome, TaskSpec

    cli = state(ctx)
    try:
        payload = json.loads(task_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{task_file}: not JSON ({exc.msg})", field="TASK.json") from None
    spec = TaskSpec.model_validate(payload)
    with ComputeHome.of(cli.settings().home).open_scheduler() as scheduler:
        record = scheduler.run(spec, timeout_s=timeout_s)
    if cli.as_json:
        cli.emit(_summary(record) | {"result": record.result})
        return
    cli.console.print(
        f"task {record.id} [bold]{record.state}[/]" + (f": {record.error}" if record.error else "")
    )
    if record.result is not None:
        typer.echo(json.dumps(record.result, ensure_ascii=False, default=str))


@compute_app.command("status")
def status(
    ctx: typer.Context,
    task_id: Annotated[str | None, typer.Argument(help="one task; all when omitted")] = None,
) -> None:
    """Print the state, attempts and metering of a task (or list all tasks)."""
    from silkgate.compute import ComputeHome

    cli = state(ctx)
    with ComputeHome.of(cli.settings().home).open_scheduler() as scheduler:
        records = [scheduler.status(task_id)] if task_id else scheduler.tasks()
    rows = [_summary(r) for r in records]
    if cli.as_json:
        cli.emit(rows[0] if task_id else rows)
        return
    for row in rows:
        error = f"  {row['error']}" if row["error"] else ""
        cli.console.print(f"{row['id']}  {row['kind']:<13} {row['state']:<10}{error}")


@compute_app.command("result")
def result(ctx: typer.Context, task_id: str) -> None:
    """Print the result of a succeeded task."""
    from silkgate.compute import ComputeHome

    cli = state(ctx)
    with ComputeHome.of(cli.settings().home).open_scheduler() as scheduler:
        found = scheduler.result(task_id)
    cli.emit(found)


@compute_app.command("cancel")
def cancel(ctx: typer.Context, task_id: str) -> None:
    """Cancel a pending or running task."""
    from silkgate.compute import ComputeHome

    cli = state(ctx)
    with ComputeHome.of(cli.settings().home).open_scheduler() as scheduler:
        record = scheduler.cancel(task_id)
    if cli.as_json:
        cli.emit({"id": record.id, "state": record.state})
    else:
        cli.console.print(f"task {record.id} {record.state}")


def node_command(
    ctx: typer.Context,
    party: Annotated[str, typer.Option(help="party id, or the jurisdiction of one party")],
    data: Annotated[Path, typer.Option(help="directory of the party's datasets")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0: any free one)", min=0, max=65535)] = 0,
    epsilon: Annotated[float, typer.Option(help="default privacy budget ε per dataset")] = 10.0,
) -> None:
    """Run a party's node: engines compute on its datasets; raw rows never leave."""
    from silkgate.compute import run_node
    from silkgate.gate import Platform

    settings = state(ctx).settings()
    with Platform(settings) as platform:
        members = platform.registry.parties()
    ids = {p.id for p in members}
    if party not in ids:
        matching = [p.id for p in members if p.jurisdiction == party.upper()]
        if len(matching) != 1:
            raise NotFound(
                f"no single party {party!r}; one of {sorted(ids)}",
                field="--party",
            )
        party = matching[0]
    run_node(settings.home, party, data, host=host, port=port, default_epsilon=epsilon)
