"""Blocks cut from a stream are the same for every reader, by count and by first marker."""

from __future__ import annotations

from silkgate.ledger import BlockCutter, CutPoint, CutRecord, StreamMessage
from silkgate.ledger._ordering._cutter import cut_message

T0 = 1_700_000_000_000_000_000


def tx(seq: int) -> StreamMessage:
    return StreamMessage(seq, "tx", f'{{"tx":{seq}}}'.encode(), T0 + seq)


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
