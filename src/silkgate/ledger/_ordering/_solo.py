"""``solo`` ordering: one orderer in this process, its block log in SQLite.

Good for one machine and tests; it is a single point of failure for liveness (not for
safety: peers validate every block). The "Ledger across machines" issue adds JetStream.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from silkgate.ledger._blocks import Block, BlockHeader
from silkgate.ledger._codec import dump_data, load_data
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._identity import Identity
from silkgate.ledger._merkle import merkle_root


class SoloOrderer:
    """Cuts a block every ``max_tx_per_block`` submissions, or on ``flush()``.

    Thread-safe: clients on several threads may submit while a peer's thread delivers.
    """

    def __init__(self, path: Path | None, identity: Identity, *, max_tx_per_block: int) -> None:
        if identity.member.role != "orderer":
            raise LedgerError(f"{identity.subject} is not an orderer identity")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, header TEXT NOT NULL,"
            " signature TEXT NOT NULL, data TEXT NOT NULL)"
        )
        self._identity = identity
        self._max = max_tx_per_block
        self._pending: list[bytes] = []
        self._lock = threading.Lock()
        row = self._db.execute("SELECT header FROM blocks ORDER BY number DESC LIMIT 1").fetchone()
        self._last: BlockHeader | None = (
            None if row is None else BlockHeader.from_bytes(row[0].encode())
        )

    @property
    def height(self) -> int:
        return 0 if self._last is None else self._last.number + 1

    def append_genesis(self, genesis: Block) -> None:
        if self._last is not None:
            raise LedgerError("the orderer's log already has a genesis block")
        with self._lock:
            self._store(genesis)

    def submit(self, envelope: bytes) -> None:
        with self._lock:
            self._pending.append(envelope)
            if len(self._pending) >= self._max:
                self._cut()

    def flush(self) -> None:
        with self._lock:
            self._cut()

    def _cut(self) -> None:
        if not self._pending:
            return
        if self._last is None:
            raise LedgerError("the orderer has no genesis block")
        data = tuple(self._pending)
        self._pending.clear()
        header = BlockHeader(
            number=self._last.number + 1,
            previous_hash=self._last.hash,
            data_hash=merkle_root(data).hex(),
            timestamp=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        )
        self._store(Block(header, self._identity.sign(header.hash.encode()), data))

    def _store(self, block: Block) -> None:
        self._db.execute(
            "INSERT INTO blocks VALUES (?, ?, ?, ?)",
            (
                block.number,
                block.header.to_bytes().decode(),
                block.signature.hex(),
                dump_data(block.data),
            ),
        )
        self._last = block.header

    def deliver(self, start: int) -> Iterator[Block]:
        with self._lock:
            rows = self._db.execute(
                "SELECT header, signature, data FROM blocks WHERE number >= ? ORDER BY number",
                (start,),
            ).fetchall()
        for header, signature, data in rows:
            yield Block(
                BlockHeader.from_bytes(header.encode()),
                bytes.fromhex(signature),
                load_data(data),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
