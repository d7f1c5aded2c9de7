"""`silkgate peer` and `silkgate cluster up|down|status`: the ledger across processes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._state import state
from silkgate.domain import InvalidInput, Party
from silkgate.ledger import Cluster, run_peer

cluster_app = typer.Typer(
    help="A consortium on loopback: NATS JetStream ordering and one peer process per org.",
    no_args_is_help=True,
)


def _home(ctx: typer.Context) -> Path:
    return state(ctx).settings().home / "ledger"


def _party(code: str) -> Party:
    """A demo party by id or country (CN → cn-gxic); otherwise a new one named for the code."""
    from silkgate.demo import DEMO_PARTIES

    for party in DEMO_PARTIES:
        if code in (party.id, party.jurisdiction):
            return party
    try:
        return Party(id=code.lower(), name=code, jurisdiction=code.upper())
    except ValueError:
        raise InvalidInput(
            f"{code!r} is neither a demo organisation nor a country code", field="--orgs"
        ) from None


def peer_command(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="organisation id or country code (SG)")],
    name: Annotated[str, typer.Option("--name", help="peer member name")] = "peer0",
    nats: Annotated[
        str | None, typer.Option("--nats", help="comma-separated NATS URLs [cluster.json]")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="endpoint port [cluster.json]")] = None,
) -> None:
    """Run one organisation's peer: follow the ordering stream, endorse and answer over TLS."""
    home = _home(ctx)
    cluster = Cluster(home)
    org_id = cluster.org_for(org)
    host, planned = cluster.peer_address(org_id, name)
    urls = nats.split(",") if nats else cluster.urls
    status = run_peer(
        home, org_id, urls, name=name, host=host, port=planned if port is None else port,
        batch_timeout_s=cluster.batch_timeout_s,
    )  # fmt: skip
    raise typer.Exit(status)


@cluster_app.command("up")
def up(
    ctx: typer.Context,
    orgs: Annotated[str, typer.Option("--orgs", help="organisations: ids or country codes")] = (
        "CN,SG,VN"
    ),
    nats: Annotated[int, typer.Option("--nats", help="NATS servers (stream R=min(3, n))")] = 3,
) -> None:
    """Start NATS servers and a peer per organisation in the background (DATA_DIR/ledger)."""
    cli = state(ctx)
    home = _home(ctx)
    if Cluster.exists(home):
        cluster = Cluster(home, detach=True)
    else:
        parties = [_party(code.strip()) for code in orgs.split(",") if code.strip()]
        home.parent.mkdir(parents=True, exist_ok=True)
        cluster = Cluster.create(home, parties, nats=nats, detach=True)
    cluster.start()
    payload = {"home": str(home), "nats": cluster.urls, "peers": cluster.endpoints()}
    cluster.close()
    if cli.as_json:
        cli.emit(payload)
        return
    cli.console.print(f"NATS    {', '.join(payload['nats'])}")
    for org, address in cluster.endpoints().items():
        cli.console.print(f"{org:<16} {address}")
    cli.console.print("stop with: silkgate cluster down")


@cluster_app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop the peers and NATS servers `cluster up` started."""
    cli = state(ctx)
    stopped = Cluster.down(_home(ctx))
    if cli.as_json:
        cli.emit({"stopped": stopped})
    else:
        cli.console.print(f"stopped {len(stopped)} processes")


@cluster_app.command("status")
def status(ctx: typer.Context) -> None:
    """Each peer's height, commit hash and state root, and whether they agree."""
    cli = state(ctx)
    cluster = Cluster(_home(ctx), detach=True)
    try:
        statuses = cluster.statuses()
    finally:
        cluster.close()
    views = {(s["height"], s["commit_hash"], s["state_root"]) for s in statuses.values()}
    payload = {"peers": list(statuses.values()), "peers_agree": len(views) == 1}
    if cli.as_json:
        cli.emit(payload)
        return
    for s in statuses.values():
        cli.console.print(f"{s['org']:<16} height {s['height']:>6}  {str(s['commit_hash'])[:16]}")
    cli.console.print(f"peers agree: {payload['peers_agree']}")
