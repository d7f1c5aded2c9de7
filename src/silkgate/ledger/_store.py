"""One peer's ledger on disk: blocks, commit records, world state, history, tx index.

All of it sits in one SQLite database (WAL), and a block commits in one transaction: the
block, its commit record, every state write and history row, or none of them. A process
killed mid-commit reopens at the previous height and fetches the block again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from silkgate.ledger._blocks import Block, BlockHeader, CommitRecord
from silkgate.ledger._codec import dump_data, load_data
from silkgate.ledger._stateroot import StateAccumulator
from silkgate.ledger._types import ValidationCode, Version

_SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY, header TEXT NOT NULL, signature TEXT NOT NULL,
    data TEXT NOT NULL, codes TEXT NOT NULL, state_root TEXT NOT NULL, commit_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY, value TEXT NOT NULL, block INTEGER NOT NULL, tx INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
    key TEXT NOT NULL, block INTEGER NOT NULL, tx INTEGER NOT NULL, tx_id TEXT NOT NULL,
    value TEXT, PRIMARY KEY (key, block, tx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS txs (
    tx_id TEXT PRIMARY KEY, block INTEGER NOT NULL, position INTEGER NOT NULL,
    code TEXT NOT NULL, contract TEXT NOT NULL, function TEXT NOT NULL, creator TEXT NOT NULL,
    timestamp TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class StateEntry:
    key: str
    value: str
    version: Version


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One write to a key: which transaction, where, and the value (None when deleted)."""

    key: str
    block: int
    tx: int
    tx_id: str
    value: str | None


@dataclass(frozen=True, slots=True)
class TxRecord:
    tx_id: str
    block: int
    position: int
    code: ValidationCode
    contract: str
    function: str
    creator: str
    timestamp: str


@dataclass(slots=True)
class BlockUpdate:
    """Everything a block changes, computed by validation, written by ``commit``."""

    block: Block
    record: CommitRecord
    accumulator: StateAccumulator
    state: dict[str, tuple[str | None, Version]]
    history: list[HistoryEntry]
    txs: list[TxRecord]


CommitHook = Callable[[int], None]
"""Called inside the commit transaction after the block row is written (tests kill here)."""


class LedgerStore:
    """SQLite tables of one peer; ``path=None`` keeps them in memory (used by ``verify``)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # reads -----------------------------------------------------------------------------------
    @property
    def height(self) -> int:
        """Number of committed blocks (the next block's number)."""
        row = self._db.execute("SELECT MAX(number) FROM blocks").fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def accumulator(self) -> StateAccumulator:
        row = self._db.execute("SELECT value FROM meta WHERE name='accumulator'").fetchone()
        return StateAccumulator.from_hex(row[0] if row else "")

    def get(self, key: str) -> StateEntry | None:
        row = self._db.execute("SELECT value, block, tx FROM state WHERE key=?", (key,)).fetchone()
        return None if row is None else StateEntry(key, row[0], (row[1], row[2]))

    def version(self, key: str) -> Version | None:
        row = self._db.execute("SELECT block, tx FROM state WHERE key=?", (key,)).fetchone()
        return None if row is None else (row[0], row[1])

    def entries(self, keys: Iterable[str]) -> dict[str, StateEntry]:
        """The entries of those ``keys`` that exist, in one query per 500 keys."""
        found: dict[str, StateEntry] = {}
        for chunk in _chunks(sorted(set(keys))):
            rows = self._db.execute(
                "SELECT key, value, block, tx FROM state WHERE key IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((k, StateEntry(k, v, (b, t))) for k, v, b, t in rows)
        return found

    def range(self, start: str, end: str) -> list[StateEntry]:
        """Keys ``start <= key < end`` in order."""
        rows = self._db.execute(
            "SELECT key, value, block, tx FROM state WHERE key >= ? AND key < ? ORDER BY key",
            (start, end),
        )
        return [StateEntry(k, v, (b, t)) for k, v, b, t in rows]

    def all_state(self) -> Iterator[StateEntry]:
        for k, v, b, t in self._db.execute("SELECT key, value, block, tx FROM state ORDER BY key"):
            yield StateEntry(k, v, (b, t))

    def history(self, key: str) -> list[HistoryEntry]:
        rows = self._db.execute(
            "SELECT key, block, tx, tx_id, value FROM history WHERE key=? ORDER BY block, tx",
            (key,),
        )
        return [HistoryEntry(*row) for row in rows]

    def history_range(self, start: str, end: str) -> list[HistoryEntry]:
        rows = self._db.execute(
            "SELECT key, block, tx, tx_id, value FROM history WHERE key >= ? AND key < ? "
            "ORDER BY block, tx, key",
            (start, end),
        )
        return [HistoryEntry(*row) for row in rows]

    def all_history(self) -> Iterator[HistoryEntry]:
        rows = self._db.execute("SELECT key, block, tx, tx_id, value FROM history ORDER BY 1,2,3")
        for row in rows:
            yield HistoryEntry(*row)

    def has_tx(self, tx_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM txs WHERE tx_id=?", (tx_id,)).fetchone() is not None

    def known_txs(self, tx_ids: Iterable[str]) -> set[str]:
        """Those of ``tx_ids`` already in the transaction index."""
        found: set[str] = set()
        for chunk in _chunks(sorted(set(tx_ids))):
            rows = self._db.execute(
                f"SELECT tx_id FROM txs WHERE tx_id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update(row[0] for row in rows)
        return found

    def tx(self, tx_id: str) -> TxRecord | None:
        row = self._db.execute(
            "SELECT tx_id, block, position, code, contract, function, creator, timestamp "
            "FROM txs WHERE tx_id=?",
            (tx_id,),
        ).fetchone()
        return None if row is None else TxRecord(*row)

    def all_txs(self) -> Iterator[TxRecord]:
        rows = self._db.execute(
            "SELECT tx_id, block, position, code, contract, function, creator, timestamp "
            "FROM txs ORDER BY block, position"
        )
        for row in rows:
            yield TxRecord(*row)

    def block(self, number: int) -> tuple[Block, CommitRecord] | None:
        row = self._db.execute(
            "SELECT header, signature, data, codes, state_root, commit_hash FROM blocks "
            "WHERE number=?",
            (number,),
        ).fetchone()
        if row is None:
            return None
        return _block_from_row(row)

    def signature(self, number: int) -> bytes | None:
        """The signature field of block ``number`` (a cut record with jetstream ordering)."""
        row = self._db.execute("SELECT signature FROM blocks WHERE number=?", (number,)).fetchone()
        return None if row is None else bytes.fromhex(row[0])

    def blocks(self, start: int = 0) -> Iterator[tuple[Block, CommitRecord]]:
        rows = self._db.execute(
            "SELECT header, signature, data, codes, state_root, commit_hash FROM blocks "
            "WHERE number >= ? ORDER BY number",
            (start,),
        )
        for row in rows:
            yield _block_from_row(row)

    def last_commit(self) -> tuple[str, str] | None:
        """(block hash, commit hash) of the newest block."""
        row = self._db.execute(
            "SELECT header, commit_hash FROM blocks ORDER BY number DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return BlockHeader.from_bytes(row[0].encode()).hash, row[1]

    # the one write ---------------------------------------------------------------------------
    def commit(self, update: BlockUpdate, hook: CommitHook | None = None) -> None:
        """Write ``update`` atomically; any failure (or a kill) leaves the store unchanged."""
        block, record = update.block, update.record
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    block.number,
                    block.header.to_bytes().decode(),
                    block.signature.hex(),
                    dump_data(block.data),
                    json.dumps(list(record.codes)),
                    record.state_root,
                    record.commit_hash,
                ),
            )
            if hook is not None:
                hook(block.number)
            deletes = [(k,) for k, (v, _) in update.state.items() if v is None]
            upserts = [
                (k, v, ver[0], ver[1]) for k, (v, ver) in update.state.items() if v is not None
            ]
            if deletes:
                db.executemany("DELETE FROM state WHERE key=?", deletes)
            if upserts:
                db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?)", upserts)
            db.executemany(
                "INSERT INTO history VALUES (?, ?, ?, ?, ?)",
                [(h.key, h.block, h.tx, h.tx_id, h.value) for h in update.history],
            )
            db.executemany(
                "INSERT OR IGNORE INTO txs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (t.tx_id, t.block, t.position, t.code, t.contract, t.function, t.creator,
                     t.timestamp)
                    for t in update.txs
                ],
            )  # fmt: skip
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('accumulator', ?)",
                (update.accumulator.to_hex(),),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _block_from_row(row: tuple[str, str, str, str, str, str]) -> tuple[Block, CommitRecord]:
    header, signature, data, codes, state_root, commit = row
    block = Block(
        header=BlockHeader.from_bytes(header.encode()),
        signature=bytes.fromhex(signature),
        data=load_data(data),
    )
    return block, CommitRecord(tuple(json.loads(codes)), state_root, commit)
