"""``verify``: re-derive a peer's whole ledger from its blocks and compare with what is stored.

Every stored block is re-validated from genesis into a fresh in-memory ledger: hash chain,
Merkle roots, orderer signatures, every transaction's checks, the codes, state roots and
commit hashes. Then the stored world state, history and transaction index are compared
with the replay entry by entry. A change to any block, code, state value or version,
whether made through SQLite or in the file, shows up as the first block that disagrees.
Assumption: the genesis block is the one the consortium agreed on (compare its hash,
``Consortium.genesis_hash``, out of band).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from silkgate.ledger._contracts import Contract
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._store import LedgerStore
from silkgate.ledger._validator import BlockValidator, ConfigView


@dataclass(frozen=True, slots=True)
class VerifyReport:
    peer: str
    height: int
    ok: bool
    bad_block: int | None = None
    reason: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "peer": self.peer,
            "height": self.height,
            "ok": self.ok,
            "bad_block": self.bad_block,
            "reason": self.reason,
        }


def verify_store(store: LedgerStore, contracts: Mapping[str, Contract], peer: str) -> VerifyReport:
    try:
        return _verify(store, contracts, peer)
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
        return VerifyReport(peer, 0, False, 0, f"store unreadable: {type(exc).__name__}: {exc}")


def _verify(store: LedgerStore, contracts: Mapping[str, Contract], peer: str) -> VerifyReport:
    validator = BlockValidator(contracts)
    replay = LedgerStore(None)
    view: ConfigView | None = None
    height = 0
    try:
        for expected, (block, record) in enumerate(store.blocks()):
            if block.number != expected:
                return VerifyReport(peer, height, False, expected, f"block {expected} is missing")
            try:
                update = validator.validate(block, replay, view)
            except LedgerError as exc:
                return VerifyReport(peer, height, False, block.number, str(exc))
            if update.record != record:
                what = (
                    "validation codes" if update.record.codes != record.codes
                    else "state root" if update.record.state_root != record.state_root
                    else "commit hash"
                )  # fmt: skip
                return VerifyReport(
                    peer,
                    height,
                    False,
                    block.number,
                    f"block {block.number}: {what} differ from replay",
                )
            replay.commit(update)
            if view is None or any(k.startswith("config/") for k in update.state):
                view = ConfigView.load(replay)
            height = block.number + 1
        bad = _compare(store, replay)
        if bad is not None:
            return VerifyReport(peer, height, False, bad[0], bad[1])
        if store.accumulator().value != replay.accumulator().value:
            last = height - 1
            return VerifyReport(peer, height, False, last, "state accumulator differs from replay")
        return VerifyReport(peer, height, True)
    finally:
        validator.close()
        replay.close()


def _compare(store: LedgerStore, replay: LedgerStore) -> tuple[int, str] | None:
    """The lowest block a difference in state, history or tx index points at, and why."""
    blamed: list[tuple[int, str]] = []
    stored = {e.key: e for e in store.all_state()}
    derived = {e.key: e for e in replay.all_state()}
    for key in sorted(stored.keys() | derived.keys()):
        mine, truth = stored.get(key), derived.get(key)
        if mine == truth:
            continue
        block = truth.version[0] if truth is not None else mine.version[0] if mine else 0
        blamed.append((block, f"world state key {key!r} differs from block {block}'s write"))
    stored_history = list(store.all_history())
    for row, true_row in zip(stored_history, replay.all_history(), strict=False):
        if row != true_row:
            block = min(row.block, true_row.block)
            blamed.append((block, f"history of {true_row.key!r} differs at block {block}"))
            break
    else:
        derived_count = sum(1 for _ in replay.all_history())
        if len(stored_history) != derived_count:
            blamed.append((0, "history has rows no block wrote"))
    for mine_tx, truth_tx in zip(store.all_txs(), replay.all_txs(), strict=False):
        if mine_tx != truth_tx:
            block = min(mine_tx.block, truth_tx.block)
            blamed.append((block, f"transaction index differs at block {block}"))
            break
    return min(blamed) if blamed else None
