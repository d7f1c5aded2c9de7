"""``python -m silkgate.ledger peer ...``: run one peer process (what ``Cluster`` starts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from silkgate.ledger._node import run_peer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m silkgate.ledger")
    commands = parser.add_subparsers(dest="command", required=True)
    peer = commands.add_parser("peer", help="run one organisation's peer")
    peer.add_argument("--home", type=Path, required=True)
    peer.add_argument("--org", required=True)
    peer.add_argument("--name", default="peer0")
    peer.add_argument("--nats", required=True, help="comma-separated NATS URLs")
    peer.add_argument("--host", default="127.0.0.1")
    peer.add_argument("--port", type=int, default=0)
    peer.add_argument("--batch-timeout-ms", type=int, default=100)
    args = parser.parse_args(argv)
    return run_peer(
        args.home,
        args.org,
        args.nats.split(","),
        name=args.name,
        host=args.host,
        port=args.port,
        batch_timeout_s=args.batch_timeout_ms / 1000,
    )


if __name__ == "__main__":
    sys.exit(main())
