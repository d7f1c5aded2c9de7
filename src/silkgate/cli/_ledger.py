"""`silkgate ledger ...`: verify the chain, show a key's history, audit a dataset, prove a tx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkgate.cli._state import state
from silkgate.ledger import (
    Consortium,
    LedgerCorrupt,
    audit,
    verify_inclusion,
    verify_ledger,
)

ledger_app = typer.Typer(
    help="The consortium ledger: verify, history, audit, proof, status.", no_args_is_help=True
)


def _home(ctx: typer.Context) -> Path:
    return state(ctx).settings().home / "ledger"


PeerOption = Annotated[str | None, typer.Option("--peer", help="organisation whose peer to read")]


@ledger_app.command("verify")
def verify(ctx: typer.Context, peer: PeerOption = None) -> None:
    """Re-check every block, signature, code and state entry; exit 1 naming the first bad block."""
    cli = state(ctx)
    reports = verify_ledger(_home(ctx), peer=peer)
    if cli.as_json:
        cli.emit({"ok": all(r.ok for r in reports), "peers": [r.as_json() for r in reports]})
    else:
        for r in reports:
            mark = "[green]ok[/]" if r.ok else f"[red]BAD at block {r.bad_block}[/]: {r.reason}"
            cli.console.print(f"{r.peer:<16} height {r.height:>6}  {mark}")
    bad = [r for r in reports if not r.ok]
    if bad:
        first = bad[0]
        raise LedgerCorrupt(
            f"peer {first.peer}: block {first.bad_block}: {first.reason}",
            block=first.bad_block or 0,
            peer=first.peer,
        )


@ledger_app.command("history")
def history(ctx: typer.Context, key: str, peer: PeerOption = None) -> None:
    """Every committed write to KEY (e.g. dataset/cn-gxic-outpatients), oldest first."""
    cli = state(ctx)
    with Consortium(_home(ctx)).start(sync=False) as consortium:
        source = consortium.peer(peer)
        rows = []
        for h in source.history(key):
            tx = source.tx(h.tx_id)
            rows.append(
                {
                    "block": h.block,
                    "tx": h.tx,
                    "tx_id": h.tx_id,
                    "timestamp": tx.timestamp if tx else None,
                    "creator": tx.creator if tx else None,
                    "deleted": h.value is None,
                    "value": None if h.value is None else json.loads(h.value),
                }
            )
    if cli.as_json:
        cli.emit({"key": key, "history": rows})
        return
    table = Table("block", "tx id", "time", "creator", "value", title=key)
    for row in rows:
        value = "(deleted)" if row["deleted"] else json.dumps(row["value"], ensure_ascii=False)
        table.add_row(
            str(row["block"]), str(row["tx_id"])[:16], str(row["timestamp"]), str(row["creator"]),
            value[:80],
        )  # fmt: skip
    cli.console.print(table)


@ledger_app.command("audit")
def audit_dataset(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", help="dataset id")],
    peer: PeerOption = None,
) -> None:
    """Who registered, set policies, requested, was granted, downloaded and computed."""
    cli = state(ctx)
    with Consortium(_home(ctx)).start(sync=False) as consortium:
        events = audit(consortium.peer(peer), dataset)
    if cli.as_json:
        cli.emit({"dataset": dataset, "events": [e.as_json() for e in events]})
        return
    table = Table("block", "time", "actor", "action", "tx id", title=f"audit {dataset}")
    for e in events:
        table.add_row(str(e.block), e.timestamp, e.actor, e.action, e.tx_id[:16])
    cli.console.print(table)


@ledger_app.command("proof")
def proof(ctx: typer.Context, tx_id: str, peer: PeerOption = None) -> None:
    """A Merkle inclusion proof of TX_ID in its block, checked before it is printed."""
    cli = state(ctx)
    with Consortium(_home(ctx)).start(sync=False) as consortium:
        found, envelope = consortium.peer(peer).proof(tx_id)
    payload = {**found.as_json(), "verified": verify_inclusion(found, envelope)}
    if cli.as_json:
        cli.emit(payload)
    else:
        for name, value in payload.items():
            cli.console.print(f"{name:<9} {value}")


@ledger_app.command("status")
def status(ctx: typer.Context) -> None:
    """Height and last commit hash of each peer, and whether they agree."""
    cli = state(ctx)
    with Consortium(_home(ctx)).start(sync=False) as consortium:
        peers = [
            {"peer": org, "height": p.height, "commit_hash": p.last_commit_hash()}
            for org, p in consortium.peers.items()
        ]
        payload = {
            "genesis_hash": consortium.genesis_hash,
            "peers": peers,
            "peers_agree": consortium.peers_agree(),
        }
    if cli.as_json:
        cli.emit(payload)
        return
    cli.console.print(f"genesis {payload['genesis_hash']}")
    for p in peers:
        cli.console.print(f"{p['peer']:<16} height {p['height']:>6}  {str(p['commit_hash'])[:16]}")
    cli.console.print(f"peers agree: {payload['peers_agree']}")
