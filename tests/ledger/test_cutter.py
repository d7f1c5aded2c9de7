"""Blocks cut from a stream are the same for every reader, by count and by first marker."""

from __future__ import annotations

import pytest

from silkgate.ledger import BlockCutter, CutPoint, CutRecord, LedgerError, StreamMessage
from silkgate.ledger._ordering._cutter import (
    MAX_BATCH,
    batch_id,
    batch_message,
    cut_message,
    read_batch,
)

T0 = 1_700_000_000_000_000_000


def tx(seq: int) -> StreamMessage:
    return StreamMessage(seq, "tx", f'{{"tx":{seq}}}'.encode(), T0 + seq)


def txs(seq: int, count: int) -> StreamMessage:
    envelopes = [f'{{"tx":"{seq}.{k}"}}'.encode() for k in range(count)]
    return StreamMessage(seq, "txs", batch_message(envelopes), T0 + seq)


def cut(seq: int, number: int | None) -> StreamMessage:
    return StreamMessage(seq, "cut", cut_message(number), T0 + seq)


STREAM = [tx(2), tx(3), cut(4, 1), cut(5, 1), tx(6), tx(7), tx(8), tx(9), cut(10, 2), tx(11)]
"""After genesis (seq 1): a marker-cut block 1, a duplicate marker, a count-cut block 2."""


def cut_all(messages: list[StreamMessage], at: CutPoint) -> list:
    cutter = BlockCutter("LEDGER_T", at)
    return [b for m in messages if (b := cutter.add(m, 3)) is not None]


def after_genesis() -> CutPoint:
    return CutPoint(1, "ab" * 32, 1)


def test_blocks_close_by_count_and_by_the_first_marker_only() -> None:
    blocks = cut_all(STREAM, after_genesis())

    assert [len(b.data) for b in blocks] == [2, 3]
    assert [CutRecord.read(b.signature) for b in blocks] == [
        CutRecord("LEDGER_T", 2, 4),
        CutRecord("LEDGER_T", 5, 8),
    ]
    assert blocks[1].header.previous_hash == blocks[0].hash


def test_two_readers_of_one_stream_derive_identical_blocks() -> None:
    first = cut_all(STREAM, after_genesis())
    second = cut_all(STREAM, after_genesis())

    assert [b.hash for b in first] == [b.hash for b in second]
    assert [b.signature for b in first] == [b.signature for b in second]


def test_resuming_after_a_block_continues_as_an_uninterrupted_reader() -> None:
    whole = cut_all(STREAM, after_genesis())

    resumed = cut_all(STREAM, CutPoint.after(whole[0]))

    assert [b.hash for b in resumed] == [whole[1].hash]


def test_a_marker_for_another_block_does_not_cut() -> None:
    blocks = cut_all([tx(2), cut(3, 7), tx(4), cut(5, None)], after_genesis())

    assert [len(b.data) for b in blocks] == [2]


def test_a_batch_message_adds_its_envelopes_in_order_and_is_never_split() -> None:
    blocks = cut_all([txs(2, 2), txs(3, 2), tx(4), txs(5, 1), cut(6, None)], after_genesis())

    assert [b.data for b in blocks] == [
        (b'{"tx":"2.0"}', b'{"tx":"2.1"}', b'{"tx":"3.0"}', b'{"tx":"3.1"}'),
        (b'{"tx":4}', b'{"tx":"5.0"}'),
    ]
    assert [CutRecord.read(b.signature) for b in blocks] == [
        CutRecord("LEDGER_T", 2, 3),
        CutRecord("LEDGER_T", 4, 6),
    ]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b'{"a":"b"}', id="object"),
        pytest.param(b"[]", id="empty"),
        pytest.param(b'["a",1]', id="not-strings"),
        pytest.param(("[" + ",".join(['"x"'] * (MAX_BATCH + 1)) + "]").encode(), id="too-many"),
    ],
)
def test_a_malformed_batch_becomes_one_transaction_of_its_raw_bytes(data: bytes) -> None:
    blocks = cut_all([StreamMessage(2, "txs", data, T0 + 2), cut(3, None)], after_genesis())

    assert read_batch(data) == (data,)
    assert [b.data for b in blocks] == [(data,)]


def test_a_batch_id_names_its_envelopes_in_order() -> None:
    one, two = b'{"tx":1}', b'{"tx":2}'

    assert batch_id([one, two]) == batch_id([one, two])
    assert batch_id([one, two]) != batch_id([two, one])
    assert read_batch(batch_message([one, two])) == (one, two)
    with pytest.raises(LedgerError, match="batch holds 1 to"):
        batch_message([one] * (MAX_BATCH + 1))
