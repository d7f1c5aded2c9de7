"""Benchmark: committed transactions per second through execute–order–validate.

Three organisations (the first three demo parties) endorse under a 2-of-3 policy
(``consent: any:2``); each transaction is a ``consent.record`` by the owner's client,
endorsed by a rotating pair of peers, ordered by ``solo`` and committed by one peer, all
in this process; the committing peer validates and commits on its own thread while the
client keeps endorsing (``--no-pipeline``: on the client's thread). Figures:
committed_tps (committed valid transactions / wall time, endorsement and signing
included), p50_ms / p99_ms (proposal to commit), peers_agree (the other peers, synced
afterwards, reach the same commit hash), cpu_us_per_tx (this process's CPU time per
transaction: a figure that other load on the machine disturbs less than wall time).

Baseline, measured in the same run (just before and just after it, averaged: the machine's
speed drifts): the CPU ceiling of one core set by the work each
transaction needs at minimum — 3 Ed25519 signatures (client, two endorsers), 3⅔
verifications with PyNaCl, and 3 SQLite rows (state, history, tx index) at the store's
batched WAL commit rate: ceiling = 1 / (3/sign_rate + 3⅔/verify_rate + 3/row_rate). The
verifications: the two endorsers check the proposal (2); the committer checks the proposal
and both endorsements, but its signature cache answers for the proposal it verified itself
when it was one of the endorsers (2 of the 3 rotating pairs) and for its own endorsement
(same pairs), leaving 1/3 + 4/3. ratio = committed_tps / ceiling.

With ``--ordering jetstream`` the consortium runs as processes on loopback
(``Cluster``): three NATS servers holding the ordering stream with R=3 on file storage,
one peer process per organisation (each validates and commits every block), and this
process as the client (``ClusterClient``): it signs, gathers two endorsements over TLS,
publishes pipelined (envelopes submitted within 20 ms of each other share one stream
message and one commit wait), and waits for its organisation's peer to report the
commit, with up to ``--window`` transactions in flight. p50/p99 are proposal-to-commit;
peers_agree: all three peers reach the same height, commit hash and state root;
cpu_us_per_tx: CPU time per transaction of this client process, of each peer process
(from the peers' ``status``) and of the three NATS servers together (``nats_servers``,
from the OS). Every NATS connection (clients, peers, routes between servers) is mutual
TLS 1.3 with the organisations' certificates (``nats_tls``). Baseline, same run: raw
JetStream publish-with-ack rate (pipelined, same window) of envelope-sized messages to a
stream with the same settings, over the same TLS servers with an admin's certificate
(creating a stream is an admin's right; ``publish_rate``), and the synchronous one-at-a-
time rate; ratio = committed_tps / publish_rate. Also the machine's ceiling for this
design as the issue measured it (``ceiling_tps``): three processes that each verify 3
signatures and write 5 rows per transaction, measured before and after the run (the
machine's speed drifts) and averaged; share_of_ceiling = committed_tps / ceiling_tps.

Usage: python benchmarks/ledger.py --ordering solo|jetstream [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import platform
import queue
import sqlite3
import ssl
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from nacl.signing import SigningKey

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import (
    Block,
    Cluster,
    Consortium,
    JetStreamOrderer,
    StreamNames,
    TxReceipt,
)

SIGNS_PER_TX, VERIFIES_PER_TX, ROWS_PER_TX = 3, 11 / 3, 3
ENVELOPE_BYTES = 3_500
"""About the size of a benchmark envelope (the run reports the exact size)."""


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


def bracketed(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The mean of baselines measured just before and just after the run.

    This machine's Ed25519 rates drift by tens of percent within minutes, so one baseline
    measured after the run can be taken at another speed than the run's.
    """
    mean = {name: round((before[name] + after[name]) / 2, 1) for name in before}
    return mean | {
        "committed_tps_before": before["committed_tps"],
        "committed_tps_after": after["committed_tps"],
    }


def run(
    count: int, block_size: int, *, clients: int = 1, pipelined: bool = True
) -> dict[str, object]:
    """``clients`` client threads endorse and submit; the committing peer has its own thread.

    ``pipelined=False``: one client thread that also commits each block as it is cut.
    """
    clients = clients if pipelined else 1
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
            committed = 0
            # The committing peer works on its own thread, as a peer commits while it
            # endorses; a short queue keeps the clients from running ahead of it.
            blocks: queue.Queue[Block | None] = queue.Queue(maxsize=2)
            failures: list[BaseException] = []

            def commit(block: Block) -> None:
                nonlocal committed
                record, txs = committer.commit_txs(block)
                now = time.perf_counter()
                committed += sum(1 for c in record.codes if c == "VALID")
                latencies.extend((now - started.pop(tx.tx_id)) * 1000 for tx in txs)

            def commit_all() -> None:
                try:
                    while (block := blocks.get()) is not None:
                        commit(block)
                except BaseException as exc:  # reported by the main thread
                    failures.append(exc)
                    while blocks.get() is not None:
                        pass

            hand_over = blocks.put if pipelined else commit
            delivered = threading.Lock()
            next_block = orderer.height

            def deliver_new() -> None:
                nonlocal next_block
                with delivered:
                    if orderer.height != next_block:
                        for block in orderer.deliver(next_block):
                            hand_over(block)
                        next_block = block.number + 1

            def submit_share(first: int) -> None:
                client = consortium.client(orgs[0])
                try:
                    for i in range(first, count, clients):
                        t0 = time.perf_counter()
                        receipt = hashlib.sha256(f"receipt-{i}".encode()).hexdigest()
                        pending = client.prepare(
                            "consent",
                            "record",
                            {"dataset_id": "bench", "receipt_hash": receipt,
                             "purpose": "research"},
                            endorsers=pairs[i % 3],
                        )  # fmt: skip
                        started[pending.tx_id] = t0
                        orderer.submit(pending.envelope.to_bytes())
                        deliver_new()
                except BaseException as exc:  # reported by the main thread
                    failures.append(exc)

            sample = owner.prepare(
                "consent", "record",
                {"dataset_id": "bench", "receipt_hash": "f" * 64, "purpose": "research"},
                endorsers=pairs[0],
            )  # fmt: skip
            envelope_bytes = len(sample.envelope.to_bytes())
            worker = threading.Thread(target=commit_all, name="committer")
            submitters = [
                threading.Thread(target=submit_share, args=(k,), name=f"client-{k}")
                for k in range(clients)
            ]
            begin, cpu_begin = time.perf_counter(), time.process_time()
            if pipelined:
                worker.start()
            for thread in submitters:
                thread.start()
            for thread in submitters:
                thread.join()
            orderer.flush()
            deliver_new()
            if pipelined:
                blocks.put(None)
                worker.join()
            elapsed = time.perf_counter() - begin
            cpu = time.process_time() - cpu_begin
            if failures:
                raise failures[0]
            for org in orgs[1:]:
                consortium.peer(org).sync(orderer)
            agree = consortium.peers_agree()
            return {
                "committed_tps": round(committed / elapsed, 1),
                "p50_ms": _percentile(latencies, 0.5),
                "p99_ms": _percentile(latencies, 0.99),
                "peers_agree": agree,
                "transactions": count,
                "committed": committed,
                "block_size": block_size,
                "clients": clients,
                "pipelined": pipelined,
                "seconds": round(elapsed, 3),
                "cpu_us_per_tx": round(cpu / count * 1e6),
                "envelope_bytes": envelope_bytes,
            }
        finally:
            consortium.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * share) - 1)], 2)


def run_jetstream(
    count: int, block_size: int, window: int
) -> tuple[dict[str, object], dict[str, float]]:
    ceiling_count = min(count, 10_000)
    before = ceiling_baseline(ceiling_count, ENVELOPE_BYTES // 3, block_size)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.create(
            Path(tmp) / "ledger",
            DEMO_PARTIES[:3],
            nats=3,
            policies={"consent": "any:2"},
            max_tx_per_block=block_size,
            batch_timeout_s=0.05,
        )
        try:
            cluster.start()
            orgs = cluster.orgs
            client = cluster.client(orgs[0])
            client.invoke(
                "registry",
                "register",
                {"dataset_id": "bench", "owner": orgs[0], "location": "CN",
                 "content_hash": "0" * 64, "classification": {"grade": "general_4"}},
            )  # fmt: skip
            cluster.wait_agree(timeout_s=30)
            pairs = [[orgs[0], orgs[1]], [orgs[1], orgs[2]], [orgs[0], orgs[2]]]
            latencies: list[float] = []
            receipts: list[TxReceipt] = []

            async def one(i: int, gate: asyncio.Semaphore) -> None:
                async with gate:
                    t0 = time.perf_counter()
                    receipt = hashlib.sha256(f"receipt-{i}".encode()).hexdigest()
                    done = await client.invoke_async(
                        "consent",
                        "record",
                        {"dataset_id": "bench", "receipt_hash": receipt, "purpose": "research"},
                        endorsers=pairs[i % 3],
                        check=False,
                    )
                    latencies.append((time.perf_counter() - t0) * 1000)
                    receipts.append(done)

            async def drive() -> float:
                gate = asyncio.Semaphore(window)
                begin = time.perf_counter()
                await asyncio.gather(*(one(i, gate) for i in range(count)))
                return time.perf_counter() - begin

            sample = client.run(
                client.prepare_async(
                    "consent", "record",
                    {"dataset_id": "bench", "receipt_hash": "f" * 64, "purpose": "research"},
                    endorsers=pairs[0],
                )
            )  # fmt: skip
            envelope_bytes = len(sample.envelope.to_bytes())
            cpu_before = {org: s["cpu_s"] for org, s in cluster.statuses().items()}
            nats_before = _nats_cpu_s(cluster)
            cpu_begin = time.process_time()
            elapsed = client.run(drive())
            client_cpu = time.process_time() - cpu_begin
            nats_cpu = _nats_cpu_s(cluster) - nats_before
            committed = sum(1 for r in receipts if r.is_valid)
            statuses = cluster.wait_agree(timeout_s=60)
            views = {(s["height"], s["commit_hash"], s["state_root"]) for s in statuses.values()}
            cpu_us = (
                {"client": round(client_cpu / count * 1e6)}
                | {
                    org: round((s["cpu_s"] - cpu_before[org]) / count * 1e6)
                    for org, s in statuses.items()
                }
                | {"nats_servers": round(nats_cpu / count * 1e6)}
            )
            blocks = {r.block for r in receipts}
            base = publish_baseline(
                cluster.urls,
                cluster.nats_tls(orgs[0], "admin"),  # creating a stream takes an admin
                envelope_bytes,
                min(count, 10_000),
                window,
            )
            cluster.close()  # the ceiling is measured on an otherwise idle machine
            after = ceiling_baseline(ceiling_count, envelope_bytes // 3, block_size)
            # This machine's speed drifts by tens of percent within minutes: the ceiling is
            # the mean of one measured just before and one just after the run.
            base |= {
                "ceiling_tps": round((before + after) / 2, 1),
                "ceiling_before_tps": before,
                "ceiling_after_tps": after,
            }
            share = round(committed / elapsed / base["ceiling_tps"], 3)
            figures: dict[str, object] = {
                "committed_tps": round(committed / elapsed, 1),
                "p50_ms": _percentile(latencies, 0.5),
                "p99_ms": _percentile(latencies, 0.99),
                "peers_agree": len(views) == 1,
                "transactions": count,
                "committed": committed,
                "block_size": block_size,
                "blocks": len(blocks),
                "window": window,
                "seconds": round(elapsed, 3),
                "cpu_us_per_tx": cpu_us,
                "envelope_bytes": envelope_bytes,
                "nats_servers": 3,
                "replicas": 3,
                "peer_processes": len(orgs),
                "nats_tls": True,
                "share_of_ceiling": share,
            }
            return figures, base
        finally:
            cluster.close()


def _nats_cpu_s(cluster: Cluster) -> float:
    """CPU seconds the NATS server processes have used so far, together."""
    total = 0.0
    for pid in cluster.nats.pids:
        if pid is not None:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _ceiling_worker(
    count: int,
    message_size: int,
    block_size: int,
    path: str,
    go: Any,
    seconds: Any,
) -> None:
    """One peer's minimum work per transaction: 3 verifications and 5 rows, a block at a time."""
    key = SigningKey(b"\x07" * 32)
    message = (bytes(range(256)) * (message_size // 256 + 1))[:message_size]
    signature = key.sign(message).signature
    verify_key = key.verify_key
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, a INT, b INT) WITHOUT ROWID")
    value = "x" * 200
    go.wait()
    start = time.perf_counter()
    for first in range(0, count, block_size):
        rows = []
        for i in range(first, min(count, first + block_size)):
            for _ in range(3):
                verify_key.verify(message, signature)
            rows.extend((f"key/{i:012d}/{j}", value, i, j) for j in range(5))
        db.execute("BEGIN")
        db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
        db.execute("COMMIT")
    db.close()
    seconds.put(time.perf_counter() - start)


def ceiling_baseline(count: int, message_size: int, block_size: int) -> float:
    """This machine's ceiling for the jetstream design, measured: three processes (one per
    peer) that each verify 3 Ed25519 signatures and write 5 SQLite rows per transaction,
    a block at a time, started together; transactions / the slowest one's seconds."""
    context = multiprocessing.get_context("spawn")
    go, seconds = context.Event(), context.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        workers = [
            context.Process(
                target=_ceiling_worker,
                args=(count, message_size, block_size, str(Path(tmp) / f"{k}.db"), go, seconds),
            )
            for k in range(3)
        ]
        for worker in workers:
            worker.start()
        time.sleep(1.0)  # let all three import and open their databases
        go.set()
        times = [seconds.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join()
    return round(count / max(times), 1)


def publish_baseline(
    urls: list[str], tls: ssl.SSLContext, size: int, count: int, window: int
) -> dict[str, float]:
    """Raw JetStream publish-with-ack rates to a fresh stream with the ledger's settings."""
    names = StreamNames("BENCH_RAW", "bench.raw")
    orderer = JetStreamOrderer(urls, names, tls=tls).start()
    payload = os.urandom(size // 2).hex().encode()
    try:

        async def measure() -> tuple[float, float]:
            await orderer.ensure_stream(3)
            gate = asyncio.Semaphore(window)

            async def send(i: int) -> None:
                async with gate:
                    await orderer.publish("tx", payload, f"raw-{i}")

            begin = time.perf_counter()
            await asyncio.gather(*(send(i) for i in range(count)))
            pipelined = count / (time.perf_counter() - begin)
            sync_count, begin = 0, time.perf_counter()
            while time.perf_counter() - begin < 1.0:
                await orderer.publish("tx", payload, f"sync-{sync_count}")
                sync_count += 1
            return pipelined, sync_count / (time.perf_counter() - begin)

        pipelined, one_at_a_time = orderer._loop.run(measure())
    finally:
        orderer.close()
    return {"publish_rate": round(pipelined, 1), "publish_sync_rate": round(one_at_a_time, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ordering", choices=["solo", "jetstream"], default="solo")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--transactions", type=int, default=None)
    parser.add_argument("--block-size", type=int, default=250)
    parser.add_argument("--window", type=int, default=300, help="jetstream: tx in flight")
    parser.add_argument("--clients", type=int, default=1, help="solo: client threads")
    parser.add_argument(
        "--no-pipeline", action="store_true", help="solo: commit on the client's thread"
    )
    args = parser.parse_args()
    if args.ordering == "jetstream":
        count = args.transactions or (1_500 if args.quick else 15_000)
        figures, base = run_jetstream(count, args.block_size, args.window)
        ratio = round(float(figures["committed_tps"]) / base["publish_rate"], 3)  # type: ignore[arg-type]
    else:
        count = args.transactions or (1_000 if args.quick else 20_000)
        seconds = 0.3 if args.quick else 1.5
        before = baseline(ENVELOPE_BYTES // 3, seconds)
        figures = run(count, args.block_size, clients=args.clients, pipelined=not args.no_pipeline)
        after = baseline(int(figures["envelope_bytes"]) // 3, seconds)  # type: ignore[call-overload]
        base = bracketed(before, after)
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
