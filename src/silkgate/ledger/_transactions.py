"""Proposals, read/write sets, endorsements and the envelope a client submits for ordering.

Every signed structure is canonical JSON, and structures nest as JSON *strings*, so the
exact bytes each party signed travel unchanged through ordering to every validator.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from silkgate.ledger._codec import canonical, canonical_strings, loads, sha256, sha256_hex
from silkgate.ledger._types import JsonValue, Version


def make_tx_id(nonce: bytes, creator_pem: str) -> str:
    """As in Fabric: the hash of nonce and creator, so a replay cannot pick a fresh id."""
    return sha256_hex(nonce + creator_pem.encode())


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a client asks the network to run, signed by the client."""

    tx_id: str
    nonce: str
    creator: str
    timestamp: str
    contract: str
    function: str
    args: JsonValue

    @classmethod
    def make(
        cls,
        creator_pem: str,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        at: dt.datetime | None = None,
    ) -> Proposal:
        nonce = secrets.token_bytes(24)
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        return cls(
            tx_id=make_tx_id(nonce, creator_pem),
            nonce=nonce.hex(),
            creator=creator_pem,
            timestamp=when.isoformat(timespec="microseconds"),
            contract=contract,
            function=function,
            args=args,
        )

    def to_bytes(self) -> bytes:
        return canonical(
            {
                "tx_id": self.tx_id,
                "nonce": self.nonce,
                "creator": self.creator,
                "timestamp": self.timestamp,
                "contract": self.contract,
                "function": self.function,
                "args": self.args,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Proposal:
        raw = loads(data)
        return cls(**{k: raw[k] for k in cls.__slots__})

    @property
    def time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.timestamp)


@dataclass(slots=True)
class ReadWriteSet:
    """Keys read with the version seen, ranges read with what they held, keys written."""

    reads: dict[str, Version | None] = field(default_factory=dict)
    ranges: list[tuple[str, str, list[tuple[str, Version]]]] = field(default_factory=list)
    writes: dict[str, JsonValue | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "reads": [[k, list(v) if v else None] for k, v in sorted(self.reads.items())],
            "ranges": [[s, e, [[k, list(v)] for k, v in got]] for s, e, got in self.ranges],
            "writes": [[k, v] for k, v in sorted(self.writes.items())],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ReadWriteSet:
        return cls(
            reads={k: (v[0], v[1]) if v else None for k, v in raw["reads"]},
            ranges=[(s, e, [(k, (v[0], v[1])) for k, v in got]) for s, e, got in raw["ranges"]],
            writes={k: v for k, v in raw["writes"]},
        )


def make_payload(proposal_bytes: bytes, rwset: ReadWriteSet, response: JsonValue) -> bytes:
    """The bytes endorsers sign: which proposal, what it read and wrote, what it returned."""
    return canonical(
        {
            "proposal_hash": sha256_hex(proposal_bytes),
            "rwset": rwset.as_json(),
            "response": response,
        }
    )


@dataclass(frozen=True, slots=True)
class Endorsement:
    """One peer's signature over a payload."""

    endorser: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    """A transaction as ordered: signed proposal, the endorsed payload and its endorsements."""

    proposal: bytes
    signature: bytes
    payload: bytes
    endorsements: tuple[Endorsement, ...]

    def to_bytes(self) -> bytes:
        return canonical_strings(
            {
                "proposal": self.proposal.decode(),
                "signature": self.signature.hex(),
                "payload": self.payload.decode(),
                "endorsements": [[e.endorser, e.signature.hex()] for e in self.endorsements],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        raw = loads(data)
        return cls(
            proposal=raw["proposal"].encode(),
            signature=bytes.fromhex(raw["signature"]),
            payload=raw["payload"].encode(),
            endorsements=tuple(
                Endorsement(endorser=c, signature=bytes.fromhex(s)) for c, s in raw["endorsements"]
            ),
        )

    @property
    def tx_hash(self) -> bytes:
        return sha256(self.to_bytes())
