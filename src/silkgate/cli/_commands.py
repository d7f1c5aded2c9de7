"""Commands that set up and inspect an installation: init, schema, parties, datasets, token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkgate.cli._state import state
from silkgate.domain import SCHEMA_MODELS, NotFound, json_schemas


def init(ctx: typer.Context) -> None:
    """Create the data directory with a demo consortium (CN, SG, VN, TH organisations)."""
    from silkgate.demo import init_consortium
    from silkgate.gate import Platform

    cli = state(ctx)
    settings = cli.settings()
    with Platform(settings) as platform:
        added = init_consortium(platform)
        parties = platform.registry.parties()
    if cli.as_json:
        cli.emit(
            {
                "home": str(settings.home),
                "added": [p.id for p in added],
                "parties": [p.model_dump(mode="json") for p in parties],
            }
        )
        return
    cli.console.print(f"[bold]silkgate[/] data directory {settings.home}")
    for party in parties:
        mark = "added" if party in added else "present"
        cli.console.print(f"  {party.jurisdiction}  {party.id:<16} {party.name}  [dim]({mark})[/]")


def schema(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="one model; all when omitted")] = None,
    out: Annotated[Path | None, typer.Option(help="write NAME.schema.json files here")] = None,
) -> None:
    """Print the JSON Schema of the domain models other programs exchange."""
    cli = state(ctx)
    schemas = json_schemas()
    if name is not None:
        if name not in schemas:
            raise NotFound(f"no model {name!r}; one of {', '.join(SCHEMA_MODELS)}", field="NAME")
        schemas = {name: schemas[name]}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for model, document in schemas.items():
            (out / f"{model}.schema.json").write_text(json.dumps(document, indent=2) + "\n")
    cli.emit(schemas if name is None else schemas[name])


def parties(ctx: typer.Context) -> None:
    """List the consortium's member organisations."""
    from silkgate.gate import Platform

    cli = state(ctx)
    with Platform(cli.settings()) as platform:
        members = platform.registry.parties()
    if cli.as_json:
        cli.emit([p.model_dump(mode="json") for p in members])
        return
    table = Table("id", "name", "jurisdiction", "roles", "certifications")
    for p in members:
        table.add_row(
            p.id, p.name, p.jurisdiction, ", ".join(sorted(p.roles)), ", ".join(p.certifications)
        )
    cli.console.print(table)


def datasets(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="only this party's datasets")] = None,
) -> None:
    """List registered datasets."""
    from silkgate.gate import Platform

    cli = state(ctx)
    with Platform(cli.settings()) as platform:
        if owner is not None:
            platform.registry.party(owner)
        found = platform.registry.datasets(owner=owner)
    if cli.as_json:
        cli.emit([d.model_dump(mode="json") for d in found])
        return
    table = Table("id", "owner", "location", "rows", "subjects", "grade")
    for d in found:
        table.add_row(d.id, d.owner, d.location, f"{d.rows:,}", f"{d.subjects:,}", d.grade)
    cli.console.print(table)


token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    role: Annotated[
        list[str],
        typer.Option(help="admin, data_owner, data_consumer, auditor or regulator; repeatable"),
    ],
    label: Annotated[str, typer.Option(help="who or what uses the token")] = "cli",
    party: Annotated[str | None, typer.Option(help="party the token acts for")] = None,
) -> None:
    """Issue a token; its secret is printed once and stored only as a hash."""
    from silkgate.gate import Platform

    cli = state(ctx)
    with Platform(cli.settings()) as platform:
        issued = platform.accounts.issue(label=label, roles=role, party_id=party)
    record = issued.record
    if cli.as_json:
        cli.emit(
            {"id": record.id, "token": issued.secret, "roles": sorted(record.roles),
             "party_id": record.party_id, "label": record.label}
        )  # fmt: skip
        return
    cli.console.print(f"token {record.id} ({', '.join(sorted(record.roles))}); keep it secret:")
    typer.echo(issued.secret)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List tokens (never their secrets)."""
    from silkgate.gate import Platform

    cli = state(ctx)
    with Platform(cli.settings()) as platform:
        records = platform.accounts.tokens()
    rows = [
        {"id": r.id, "label": r.label, "party_id": r.party_id, "roles": sorted(r.roles),
         "created_at": r.created_at.isoformat(), "active": r.is_active}
        for r in records
    ]  # fmt: skip
    if cli.as_json:
        cli.emit(rows)
        return
    table = Table("id", "label", "party", "roles", "created", "active")
    for row in rows:
        table.add_row(*(str(v) if not isinstance(v, list) else ", ".join(v) for v in row.values()))
    cli.console.print(table)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke a token; requests with it are refused from now on."""
    from silkgate.gate import Platform

    cli = state(ctx)
    with Platform(cli.settings()) as platform:
        if token_id not in {r.id for r in platform.accounts.tokens()}:
            raise NotFound(f"no token {token_id!r}", field="TOKEN_ID")
        record = platform.accounts.revoke(token_id)
    if cli.as_json:
        cli.emit({"id": record.id, "active": record.is_active})
    else:
        cli.console.print(f"token {record.id} revoked")
