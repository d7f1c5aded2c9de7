"""The consortium across processes: NATS JetStream (3 servers, R=3) and a peer per org.

One cluster serves the module; tests run in file order and each leaves it serving.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import (
    Block,
    CertificateAuthority,
    Cluster,
    ClusterClient,
    CutRecord,
    Envelope,
    JetStreamOrderer,
    LedgerError,
    LedgerStore,
    Proposal,
    TxReceipt,
    nats_tls_context,
    verify_ledger,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

CN, SG, VN = (p.id for p in DEMO_PARTIES[:3])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("cluster") / "ledger"
    started = Cluster.create(
        home, DEMO_PARTIES[:3], policies={"consent": "any:2"}, max_tx_per_block=50,
        batch_timeout_s=0.05,
    )  # fmt: skip
    try:
        started.start()
        owner = started.client(CN)
        owner.invoke(
            "registry",
            "register",
            {"dataset_id": "visits", "owner": CN, "location": "CN", "content_hash": "a" * 64,
             "classification": {"grade": "general_4"}},
        )  # fmt: skip
        started.wait_agree()
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module")
def owner(cluster: Cluster) -> ClusterClient:
    return cluster.client(CN, "owner")


def record(
    client: ClusterClient, start: int, count: int, *, endorsers: list[str] | None = None
) -> list[TxReceipt]:
    """``count`` consent records in flight together; their receipts."""

    async def all_of_them() -> list[TxReceipt]:
        return list(
            await asyncio.gather(
                *(
                    client.invoke_async(
                        "consent",
                        "record",
                        {"dataset_id": "visits", "receipt_hash": f"{i:064x}"},
                        endorsers=endorsers,
                    )
                    for i in range(start, start + count)
                )
            )
        )

    return client.run(all_of_them(), timeout_s=300)


def chain(path: Path) -> list[tuple[str, str, str]]:
    """(block hash, commit hash, state root) of every block in a peer's store."""
    store = LedgerStore(path)
    try:
        return [(b.hash, r.commit_hash, r.state_root) for b, r in store.blocks()]
    finally:
        store.close()


def agreed(cluster: Cluster) -> dict[str, tuple[int, str]]:
    statuses = cluster.wait_agree(timeout_s=60)
    return {org: (s["height"], s["state_root"]) for org, s in statuses.items()}


def test_peers_agree_on_every_block_hash_and_state_root(
    cluster: Cluster, owner: ClusterClient
) -> None:
    receipts = record(owner, 0, 200)
    agreed(cluster)

    chains = [chain(cluster.home / "peers" / f"{org}.db") for org in (CN, SG, VN)]

    assert all(r.is_valid for r in receipts)
    assert len({r.block for r in receipts}) >= 2  # a block holds under 50 + MAX_BATCH
    assert chains[0] == chains[1] == chains[2]
    assert all(r.ok for r in verify_ledger(cluster.home))


def test_transactions_in_flight_together_share_stream_messages(
    cluster: Cluster, owner: ClusterClient
) -> None:
    height = agreed(cluster)[CN][0]

    receipts = record(owner, 3_000, 120)
    agreed(cluster)

    store = LedgerStore(cluster.home / "peers" / f"{CN}.db")
    try:
        blocks = [b for b, _ in store.blocks(height)]
    finally:
        store.close()
    ranges = [CutRecord.read(b.signature) for b in blocks]
    messages = sum(r.last - r.first + 1 for r in ranges if r is not None)
    ours = {r.tx_id for r in receipts}
    assert all(r.is_valid for r in receipts)
    assert ours <= {tx for b in blocks for tx in _tx_ids(b)}
    assert messages < len(ours)  # batches, plus the time-to-cut markers


def _tx_ids(block: Block) -> list[str]:
    return [Proposal.from_bytes(Envelope.from_bytes(d).proposal).tx_id for d in block.data]


def test_wait_answers_for_several_transactions_and_names_bad_requests(
    cluster: Cluster, owner: ClusterClient
) -> None:
    receipts = record(owner, 3_500, 3)

    answer = owner.call(CN, "wait", tx_ids=[r.tx_id for r in receipts])

    assert sorted((t["tx_id"], t["block"], t["code"]) for t in answer["txs"]) == sorted(
        (r.tx_id, r.block, "VALID") for r in receipts
    )
    with pytest.raises(LedgerError, match="tx_ids"):
        owner.call(CN, "wait", tx_ids=[1, 2])
    with pytest.raises(LedgerError, match="1 to 4096"):
        owner.call(CN, "wait", tx_ids=[])


def test_endpoint_refuses_a_certificate_of_no_consortium_ca(
    cluster: Cluster, tmp_path: Path
) -> None:
    stranger = CertificateAuthority.make("xx-stranger", "SG").enroll("client", "client")
    cas = {o: (cluster.home / "orgs" / o / "ca" / "ca.pem").read_text() for o in cluster.orgs}
    client = ClusterClient(
        stranger, cluster.endpoints(), cluster.urls, genesis_hash=cluster.genesis_hash,
        ca_pems=cas,
    )  # fmt: skip

    try:
        with pytest.raises(LedgerError, match="closed the connection"):
            client.start()
    finally:
        client.close()


def test_nats_refuses_a_client_certificate_of_no_consortium_ca(cluster: Cluster) -> None:
    stranger = CertificateAuthority.make("xx-stranger", "SG").enroll("client", "client")
    context = nats_tls_context(stranger, cluster.ca_pems().values())
    orderer = JetStreamOrderer(cluster.urls, cluster.names, tls=context, connect_timeout_s=10)

    with pytest.raises(LedgerError, match="ALERT_UNKNOWN_CA"):
        orderer.start()
    orderer.close()


def test_killed_peer_restarts_and_catches_up_to_the_same_state_root(
    cluster: Cluster, owner: ClusterClient
) -> None:
    cluster.kill_peer(VN)
    receipts = record(owner, 1000, 120, endorsers=[CN, SG])

    cluster.start_peer(VN)
    views = agreed(cluster)

    assert all(r.is_valid for r in receipts)
    assert len(set(views.values())) == 1
    assert chain(cluster.home / "peers" / f"{VN}.db") == chain(cluster.home / "peers" / f"{CN}.db")


def test_a_new_peer_joins_from_genesis(cluster: Cluster) -> None:
    cluster.add_peer(SG, "peer1")
    target = agreed(cluster)[CN]

    path = cluster.home / "peers" / f"{SG}-peer1.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(chain(path)) < target[0]:
        time.sleep(0.2)

    assert chain(path) == chain(cluster.home / "peers" / f"{CN}.db")


def test_a_tampered_store_fails_verify_on_that_peer_while_the_others_pass(
    cluster: Cluster,
) -> None:
    cluster.stop_peer(SG, "peer1")
    path = cluster.home / "peers" / f"{SG}-peer1.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE state SET value = '{\"forged\":true}' WHERE key = "
            "(SELECT key FROM state WHERE key LIKE 'consent/%' ORDER BY key LIMIT 1)"
        )

    tampered = verify_ledger(cluster.home, peer=f"{SG}/peer1")
    others = verify_ledger(cluster.home)

    assert not tampered[0].ok
    assert tampered[0].bad_block is not None
    assert [r.ok for r in others] == [True, True, True]


def test_a_nats_server_killed_under_load_loses_no_committed_transaction(
    cluster: Cluster, owner: ClusterClient
) -> None:
    leader = cluster.stream_leader()
    results: list[TxReceipt] = []
    load = threading.Thread(target=lambda: results.extend(record(owner, 5000, 600)))
    load.start()
    time.sleep(1.0)
    cluster.kill_nats(leader)
    load.join(timeout=300)
    after = record(owner, 9000, 60)  # commits resume with two servers of three
    cluster.start_nats(leader)
    agreed(cluster)

    committed = {r.tx_id for r in results + after if r.is_valid}
    store = LedgerStore(cluster.home / "peers" / f"{VN}.db")
    try:
        on_ledger = {tx_id for tx_id in committed if store.tx(tx_id) is not None}
    finally:
        store.close()

    assert len(results) == 600
    assert len(after) == 60
    assert len(committed) == 660
    assert on_ledger == committed
