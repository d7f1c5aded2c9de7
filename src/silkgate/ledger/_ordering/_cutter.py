"""Deterministic block cutting from a replicated log, as every ``jetstream`` peer does it.

The stream holds, in one total order, the genesis block (sequence 1), transactions (one
envelope per ``tx`` message, or a batch of up to ``MAX_BATCH`` envelopes that one client
had in flight together per ``txs`` message) and time-to-cut markers. Each peer reads it
from its last block on and cuts blocks itself:

- a block closes once it holds ``max_tx_per_block`` transactions (the configuration in
  force after the previous block); a batch is never split, so a block may hold up to
  ``MAX_BATCH - 1`` more, or
- at the first marker ``{"block": N}`` in stream order with N the next block's number (or
  ``{"block": null}``) while transactions are pending; later markers for the same block,
  and markers with nothing pending, are ignored.

A block's header takes its time from the stream timestamp of the message that closed it,
so every peer that reads the same log derives byte-identical blocks. In place of an
orderer's signature a block carries its *cut record*: the stream and the range of
sequence numbers it was cut from. The ranges of consecutive blocks tile the stream, which
validation checks; anyone holding the stream can cut the block again and compare.
Guarantee: peers reading the same stream agree on every block (same hash), whoever
published a marker; the stream's Raft replication is what makes the log the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import orjson

from silkgate.ledger._blocks import GENESIS_PREVIOUS, Block, BlockHeader
from silkgate.ledger._codec import canonical, canonical_strings, sha256
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._merkle import merkle_root

GENESIS_SEQ = 1
"""The genesis block is the stream's first message."""

MAX_BATCH = 64
"""Envelopes in one ``txs`` message at most."""

MessageKind = Literal["genesis", "tx", "txs", "cut"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def stream_name(genesis_hash: str) -> str:
    """The ordering stream of the consortium whose genesis block has ``genesis_hash``."""
    return f"LEDGER_{genesis_hash[:16]}"


def stream_time(nanoseconds: int) -> str:
    """The ISO time of a stream timestamp, computed exactly (integers, no floats)."""
    moment = _EPOCH + dt.timedelta(microseconds=nanoseconds // 1000)
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """One message of the ordering stream as a peer reads it."""

    seq: int
    kind: MessageKind
    data: bytes
    time_ns: int
    pending: int = 0
    """Messages after this one in the stream when it was delivered (0: caught up)."""


@dataclass(frozen=True, slots=True)
class CutRecord:
    """Where a block came from: stream name and sequence range ``first..last``."""

    stream: str
    first: int
    last: int

    def to_bytes(self) -> bytes:
        return canonical(
            {"ordering": "jetstream", "stream": self.stream, "first": self.first,
             "last": self.last}
        )  # fmt: skip

    @classmethod
    def read(cls, data: bytes) -> CutRecord | None:
        """The record in a block's signature field, or None when it holds none."""
        try:
            raw = json.loads(data)
            record = cls(str(raw["stream"]), int(raw["first"]), int(raw["last"]))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if raw.get("ordering") != "jetstream" or record.to_bytes() != data:
            return None
        return record


def genesis_message(block: Block) -> bytes:
    return canonical(
        {"header": block.header.to_bytes().decode(), "signature": block.signature.hex(),
         "data": [d.decode() for d in block.data]}
    )  # fmt: skip


def read_genesis(data: bytes) -> Block:
    try:
        raw = json.loads(data)
        return Block(
            BlockHeader.from_bytes(raw["header"].encode()),
            bytes.fromhex(raw["signature"]),
            tuple(d.encode() for d in raw["data"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerError(f"stream message {GENESIS_SEQ} is not a genesis block ({exc})") from None


def batch_message(envelopes: Sequence[bytes]) -> bytes:
    """A ``txs`` message: a JSON array of the envelopes' texts (envelopes are UTF-8 JSON)."""
    if not 1 <= len(envelopes) <= MAX_BATCH:
        raise LedgerError(f"a batch holds 1 to {MAX_BATCH} envelopes, not {len(envelopes)}")
    return canonical_strings([envelope.decode() for envelope in envelopes])


def batch_id(envelopes: Sequence[bytes]) -> str:
    """The batch's deduplication id: a hash over its envelopes' hashes, in order."""
    return "txs-" + sha256(b"".join(sha256(envelope) for envelope in envelopes)).hex()


def read_batch(data: bytes) -> tuple[bytes, ...]:
    """The envelopes of a ``txs`` message.

    Anyone may publish to the stream, so a message that is not a JSON array of 1 to
    ``MAX_BATCH`` strings becomes one transaction holding its raw bytes: every peer then
    keeps it in the block as a malformed transaction, the same way.
    """
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:
        return (data,)
    if (
        not isinstance(items, list)
        or not 1 <= len(items) <= MAX_BATCH
        or not all(type(item) is str for item in items)
    ):
        return (data,)
    return tuple(item.encode() for item in items)


def cut_message(number: int | None) -> bytes:
    return canonical({"block": number})


@dataclass(frozen=True, slots=True)
class CutPoint:
    """Where cutting resumes: the next block's number, the last block's hash and seq."""

    number: int
    previous_hash: str
    last_seq: int

    @classmethod
    def after(cls, block: Block | None) -> CutPoint:
        """The point right after ``block`` (None: before genesis)."""
        if block is None:
            return cls(0, GENESIS_PREVIOUS, 0)
        if block.number == 0:
            return cls(1, block.hash, GENESIS_SEQ)
        record = CutRecord.read(block.signature)
        if record is None:
            raise LedgerError(f"block {block.number} has no cut record; not a jetstream ledger")
        return cls(block.number + 1, block.hash, record.last)


class BlockCutter:
    """Feeds on stream messages in order and returns each block as it closes."""

    def __init__(self, stream: str, at: CutPoint) -> None:
        self.stream = stream
        self._number = at.number
        self._previous = at.previous_hash
        self._first = at.last_seq + 1
        self._position = at.last_seq
        self._pending: list[bytes] = []

    @property
    def position(self) -> int:
        """The last stream sequence consumed."""
        return self._position

    @property
    def next_number(self) -> int:
        return self._number

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, message: StreamMessage, max_tx_per_block: int) -> Block | None:
        """Consume ``message`` (the next in the stream); return the block it closes, if any."""
        if message.seq <= self._position:
            return None  # seen already (a consumer re-created from an earlier point)
        if message.seq != self._position + 1:
            raise LedgerError(
                f"stream gap: message {message.seq} after {self._position} in {self.stream}"
            )
        self._position = message.seq
        if self._number == 0:
            if message.kind != "genesis" or message.seq != GENESIS_SEQ:
                raise LedgerError(f"{self.stream} does not start with a genesis block")
            return self._close(read_genesis(message.data))
        if message.kind == "tx" or message.kind == "txs":
            if message.kind == "tx":
                self._pending.append(message.data)
            else:
                self._pending.extend(read_batch(message.data))
            if len(self._pending) >= max_tx_per_block:
                return self._cut(message.time_ns)
        elif message.kind == "cut" and self._pending and self._wants(message.data):
            return self._cut(message.time_ns)
        return None

    def _wants(self, data: bytes) -> bool:
        try:
            raw = json.loads(data)
        except ValueError:
            return False
        if not isinstance(raw, dict) or "block" not in raw:
            return False
        return raw["block"] is None or raw["block"] == self._number

    def _cut(self, time_ns: int) -> Block:
        data = tuple(self._pending)
        self._pending = []
        header = BlockHeader(
            number=self._number,
            previous_hash=self._previous,
            data_hash=merkle_root(data).hex(),
            timestamp=stream_time(time_ns),
        )
        record = CutRecord(self.stream, self._first, self._position)
        return self._close(Block(header, record.to_bytes(), data))

    def _close(self, block: Block) -> Block:
        self._number = block.number + 1
        self._previous = block.hash
        self._first = self._position + 1
        return block
