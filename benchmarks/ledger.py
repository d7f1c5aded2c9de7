"""Benchmark: committed transactions per second through execute–order–validate.

Three organisations (the first three demo parties) endorse under a 2-of-3 policy
(``consent: any:2``); each transaction is a ``consent.record`` by the owner's client,
endorsed by a rotating pair of peers, ordered by ``solo`` and committed by one peer, all
in this process. Figures: committed_tps (committed valid transactions / wall time,
endorsement and signing included), p50_ms / p99_ms (proposal to commit), peers_agree (the
other peers, synced afterwards, reach the same commit hash).

Baseline, measured in the same run: the CPU ceiling of one core set by the work each
transaction needs at minimum — 3 Ed25519 signatures (client, two endorsers), 5
verifications (two endorsers check the proposal; the committer checks the proposal and both
endorsements) with PyNaCl, and 3 SQLite rows (state, history, tx index) at the store's
batched WAL commit rate: ceiling = 1 / (3/sign_rate + 5/verify_rate + 3/row_rate).
ratio = committed_tps / ceiling.

Usage: python benchmarks/ledger.py --ordering solo [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from nacl.signing import SigningKey

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import Consortium, Pending

SIGNS_PER_TX, VERIFIES_PER_TX, ROWS_PER_TX = 3, 5, 3


def _rate(fn: object, seconds: float = 1.0) -> float:
    assert callable(fn)
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            fn()
        done += 200
    return done / elapsed


def baseline(message_size: int, seconds: float) -> dict[str, float]:
    key = SigningKey(b"\x07" * 32)
    message = bytes(range(256)) * (message_size // 256 + 1)
    message = message[:message_size]
    signature = key.sign(message).signature
    verify_key = key.verify_key
    sign_rate = _rate(lambda: key.sign(message), seconds)
    verify_rate = _rate(lambda: verify_key.verify(message, signature), seconds)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "rate.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, a INT, b INT) WITHOUT ROWID")
        value = "x" * 200
        rows, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO t VALUES (?, ?, ?, ?)",
                [(f"key/{rows + i:012d}", value, rows, i) for i in range(500)],
            )
            db.execute("COMMIT")
            rows += 500
        row_rate = rows / (time.perf_counter() - start)
        db.close()
    ceiling = 1 / (
        SIGNS_PER_TX / sign_rate + VERIFIES_PER_TX / verify_rate + ROWS_PER_TX / row_rate
    )
    return {
        "committed_tps": round(ceiling, 1),
        "sign_per_s": round(sign_rate),
        "verify_per_s": round(verify_rate),
        "sqlite_rows_per_s": round(row_rate),
    }


def run(count: int, block_size: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        consortium = Consortium.create(
            Path(tmp) / "ledger",
            DEMO_PARTIES[:3],
            policies={"consent": "any:2"},
            max_tx_per_block=block_size,
        )
        try:
            orgs = consortium.orgs
            owner = consortium.client(orgs[0])
            owner.invoke(
                "registry",
                "register",
                {"dataset_id": "bench", "owner": orgs[0], "location": "CN",
                 "content_hash": "0" * 64, "classification": {"grade": "general_4"}},
            )  # fmt: skip
            committer = consortium.peer(orgs[0])
            orderer = consortium.orderer
            pairs = [[orgs[0], orgs[1]], [orgs[1], orgs[2]], [orgs[0], orgs[2]]]
            started: dict[str, float] = {}
            latencies: list[float] = []
            queued: list[Pending] = []
            committed = 0

            def commit_ready() -> int:
                valid = 0
                for block in orderer.deliver(committer.height):
                    record = committer.commit(block)
                    now = time.perf_counter()
                    valid += sum(1 for c in record.codes if c == "VALID")
                    for pending in queued[: len(block.data)]:
                        latencies.append((now - started.pop(pending.tx_id)) * 1000)
                    del queued[: len(block.data)]
                return valid

            size = 0
            begin = time.perf_counter()
            for i in range(count):
                t0 = time.perf_counter()
                receipt = hashlib.sha256(f"receipt-{i}".encode()).hexdigest()
                pending = owner.prepare(
                    "consent",
                    "record",
                    {"dataset_id": "bench", "receipt_hash": receipt, "purpose": "research"},
                    endorsers=pairs[i % 3],
                )
                started[pending.tx_id] = t0
                queued.append(pending)
                envelope = pending.envelope.to_bytes()
                size += len(envelope)
                height = orderer.height
                orderer.submit(envelope)
                if orderer.height != height:
                    committed += commit_ready()
            orderer.flush()
            committed += commit_ready()
            elapsed = time.perf_counter() - begin
            for org in orgs[1:]:
                consortium.peer(org).sync(orderer)
            agree = consortium.peers_agree()
            latencies.sort()
            return {
                "committed_tps": round(committed / elapsed, 1),
                "p50_ms": round(statistics.median(latencies), 2),
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
                "peers_agree": agree,
                "transactions": count,
                "committed": committed,
                "block_size": block_size,
                "seconds": round(elapsed, 3),
                "envelope_bytes": size // count,
            }
        finally:
            consortium.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ordering", choices=["solo", "jetstream"], default="solo")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--transactions", type=int, default=None)
    parser.add_argument("--block-size", type=int, default=250)
    args = parser.parse_args()
    if args.ordering != "solo":
        parser.error("only --ordering solo exists so far; jetstream comes with its issue")
    count = args.transactions or (1_000 if args.quick else 20_000)
    figures = run(count, args.block_size)
    base = baseline(int(figures["envelope_bytes"]) // 3, 0.3 if args.quick else 1.5)  # type: ignore[call-overload]
    ratio = round(float(figures["committed_tps"]) / base["committed_tps"], 3)  # type: ignore[arg-type]
    result = {
        "benchmark": "ledger",
        "ordering": args.ordering,
        "figures": figures,
        "baseline": base,
        "ratio": ratio,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {n: metadata.version(n) for n in ("pynacl", "cryptography", "cedarpy")},
    }
    print(json.dumps(result), file=sys.stdout)


if __name__ == "__main__":
    main()
