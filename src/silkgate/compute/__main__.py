"""``python -m silkgate.compute --home H --party P --data DIR [--port N]``: run one node."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from silkgate.compute._home import run_node


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m silkgate.compute")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--party", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--epsilon", type=float, default=10.0, help="default ε per dataset")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_node(args.home, args.party, args.data, host=args.host, port=args.port,
             default_epsilon=args.epsilon)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
