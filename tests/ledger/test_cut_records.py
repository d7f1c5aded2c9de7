"""A ``jetstream`` peer refuses a block whose cut record does not tile the ordering stream."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from silkgate.demo import DEMO_PARTIES
from silkgate.ledger import (
    Block,
    BlockCutter,
    BlockHeader,
    Consortium,
    CutPoint,
    CutRecord,
    Envelope,
    LedgerError,
    Peer,
    Proposal,
    StreamMessage,
    StreamNames,
    merkle_root,
)
from silkgate.ledger._ordering._cutter import MAX_BATCH

T0 = time.time_ns()
"""Stream time of the first message: now, so transactions fall inside the clock skew."""


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[tuple[Consortium, Peer, Block, str]]:
    """A jetstream consortium whose peers hold genesis and block 1 (stream seq 2..3); CN's."""
    with Consortium.create(
        tmp_path / "ledger", DEMO_PARTIES[:3], ordering="jetstream", policies={"consent": "any:2"}
    ) as consortium:
        stream = StreamNames.for_genesis(consortium.genesis_hash).stream
        cutter = BlockCutter(stream, CutPoint.after(None))
        genesis_bytes = (consortium.home / "genesis.json").read_bytes()
        genesis = cutter.add(StreamMessage(1, "genesis", genesis_bytes, T0), 1)
        assert genesis is not None
        for peer in consortium.peers.values():
            peer.commit(genesis)
        register = _envelope(consortium, "registry", "register", _dataset())
        cutter.add(StreamMessage(2, "tx", register, T0 + 2), 10)
        first = cutter.add(StreamMessage(3, "cut", b'{"block":1}', T0 + 3), 10)
        assert first is not None
        for peer in consortium.peers.values():
            peer.commit(first)
        yield consortium, consortium.peer("cn-gxic"), first, stream


def _dataset() -> dict[str, object]:
    return {"dataset_id": "cn-visits", "owner": "cn-gxic", "location": "CN",
            "content_hash": "a" * 64, "classification": {"grade": "general_4"}}  # fmt: skip


def _envelope(consortium: Consortium, contract: str, function: str, args: object) -> bytes:
    """A transaction endorsed by every peer, as a client would publish it."""
    client = consortium.identity("cn-gxic", "admin")
    proposal = Proposal.make(client.cert_pem, contract, function, args).to_bytes()  # type: ignore[arg-type]
    signature = client.sign(proposal)
    endorsed = [p.endorse(proposal, signature) for p in consortium.peers.values()]
    return Envelope(
        proposal, signature, endorsed[0].payload, tuple(e.endorsement for e in endorsed)
    ).to_bytes()


def _block(after: Block, record: bytes, data: tuple[bytes, ...]) -> Block:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    header = BlockHeader(after.number + 1, after.hash, merkle_root(data).hex(), now)
    return Block(header, record, data)


def _consent(consortium: Consortium) -> tuple[bytes, ...]:
    args = {"dataset_id": "cn-visits", "receipt_hash": "b" * 64}
    return (_envelope(consortium, "consent", "record", args),)


def test_a_block_continuing_the_stream_commits(
    ledger: tuple[Consortium, Peer, Block, str],
) -> None:
    consortium, peer, first, stream = ledger
    block = _block(first, CutRecord(stream, 4, 5).to_bytes(), _consent(consortium))

    record = peer.commit(block)

    assert record.codes == ("VALID",)
    assert peer.height == 3


@pytest.mark.parametrize(
    ("first_seq", "last_seq", "other_stream"),
    [
        pytest.param(5, 6, False, id="gap"),
        pytest.param(3, 4, False, id="overlap"),
        pytest.param(4, 5, True, id="wrong-stream"),
        pytest.param(5, 4, False, id="empty-range"),
    ],
)
def test_a_block_not_continuing_the_stream_is_refused(
    ledger: tuple[Consortium, Peer, Block, str],
    first_seq: int,
    last_seq: int,
    other_stream: bool,
) -> None:
    consortium, peer, first, stream = ledger
    name = "LEDGER_0000000000000000" if other_stream else stream
    block = _block(first, CutRecord(name, first_seq, last_seq).to_bytes(), _consent(consortium))

    with pytest.raises(LedgerError, match="cut record does not continue block 1"):
        peer.commit(block)

    assert peer.height == 2
    assert peer.commit(_block(first, CutRecord(stream, 4, 4).to_bytes(), block.data)).codes == (
        "VALID",
    )


def test_a_range_too_short_for_its_transactions_is_refused(
    ledger: tuple[Consortium, Peer, Block, str],
) -> None:
    """One stream message holds at most MAX_BATCH transactions."""
    consortium, peer, first, stream = ledger
    data = (*_consent(consortium), *[b'{"not":"a transaction"}'] * MAX_BATCH)
    block = _block(first, CutRecord(stream, 4, 4).to_bytes(), data)

    with pytest.raises(LedgerError, match="cut record"):
        peer.commit(block)

    assert peer.height == 2


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(b"\x00" * 64, id="orderer-signature-instead"),
        pytest.param(b'{"first":4,"last":5,"ordering":"jetstream","stream":"S"} ', id="padded"),
    ],
)
def test_a_block_without_a_cut_record_is_refused(
    ledger: tuple[Consortium, Peer, Block, str], signature: bytes
) -> None:
    consortium, peer, first, _ = ledger

    with pytest.raises(LedgerError, match="cut record"):
        peer.commit(_block(first, signature, _consent(consortium)))

    assert peer.height == 2


def test_block_one_must_start_right_after_the_genesis_message(tmp_path: Path) -> None:
    with Consortium.create(tmp_path / "ledger", DEMO_PARTIES[:3], ordering="jetstream") as c:
        stream = StreamNames.for_genesis(c.genesis_hash).stream
        genesis = BlockCutter(stream, CutPoint.after(None)).add(
            StreamMessage(1, "genesis", (c.home / "genesis.json").read_bytes(), T0), 1
        )
        assert genesis is not None
        for each in c.peers.values():
            each.commit(genesis)
        peer = c.peer("cn-gxic")
        data = (_envelope(c, "registry", "register", _dataset()),)

        with pytest.raises(LedgerError, match="cut record does not continue block 0"):
            peer.commit(_block(genesis, CutRecord(stream, 3, 3).to_bytes(), data))

        assert peer.commit(_block(genesis, CutRecord(stream, 2, 2).to_bytes(), data)).codes == (
            "VALID",
        )
