"""Blocks: a header the orderer signs over the transactions, and each peer's commit record.

The orderer cannot know the state a block leads to (peers validate after ordering), so the
state root and validation codes live in the commit record each peer appends; commit
records chain by hash, and equal commit hashes at a height mean two peers agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkgate.ledger._codec import canonical, loads, sha256, sha256_hex
from silkgate.ledger._merkle import merkle_root
from silkgate.ledger._types import ValidationCode

GENESIS_PREVIOUS = "0" * 64


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    previous_hash: str
    data_hash: str
    timestamp: str

    def to_bytes(self) -> bytes:
        return canonical(
            {
                "number": self.number,
                "previous_hash": self.previous_hash,
                "data_hash": self.data_hash,
                "timestamp": self.timestamp,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> BlockHeader:
        raw = loads(data)
        return cls(raw["number"], raw["previous_hash"], raw["data_hash"], raw["timestamp"])

    @property
    def hash(self) -> str:
        return sha256_hex(self.to_bytes())


@dataclass(frozen=True, slots=True)
class Block:
    """Number, previous hash, Merkle root of the transactions, time; signed by the orderer."""

    header: BlockHeader
    signature: bytes
    data: tuple[bytes, ...]

    @property
    def number(self) -> int:
        return self.header.number

    @property
    def hash(self) -> str:
        return self.header.hash

    def data_matches(self) -> bool:
        return merkle_root(self.data).hex() == self.header.data_hash


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """What one peer concluded about a block: a code per transaction and the state after."""

    codes: tuple[ValidationCode, ...]
    state_root: str
    commit_hash: str


def commit_hash(previous: str, block_hash: str, codes: tuple[str, ...], state_root: str) -> str:
    return sha256(canonical([previous, block_hash, list(codes), state_root])).hex()
