"""The state root: an additive multiset hash over every live (key, value, version) entry.

Each entry maps to a 2048-bit integer (SHAKE-256); the accumulator is their sum modulo
2^2048 (AdHash, Bellare–Micciancio 1997). A write subtracts the old entry and adds the new
one, so the root after a block costs O(writes), not O(state). Assumption: finding a second
multiset with the same sum is infeasible at this width; `verify` does not rely on it alone,
it also replays every block and compares the state entry by entry.
"""

from __future__ import annotations

import hashlib

from silkgate.ledger._codec import canonical
from silkgate.ledger._types import Version

_BITS = 2048
_MASK = (1 << _BITS) - 1


def entry_hash(key: str, value: str, version: Version) -> int:
    data = canonical([key, value, version[0], version[1]])
    return int.from_bytes(hashlib.shake_256(data).digest(_BITS // 8), "big")


class StateAccumulator:
    def __init__(self, value: int = 0) -> None:
        self.value = value & _MASK

    def add(self, key: str, value: str, version: Version) -> None:
        self.value = (self.value + entry_hash(key, value, version)) & _MASK

    def remove(self, key: str, value: str, version: Version) -> None:
        self.value = (self.value - entry_hash(key, value, version)) & _MASK

    def root(self) -> str:
        return hashlib.sha256(self.value.to_bytes(_BITS // 8, "big")).hexdigest()

    def to_hex(self) -> str:
        return self.value.to_bytes(_BITS // 8, "big").hex()

    @classmethod
    def from_hex(cls, text: str) -> StateAccumulator:
        return cls(int(text, 16) if text else 0)
