"""Aliases shared by the ledger's modules."""

from __future__ import annotations

from typing import Any, Literal

JsonValue = Any
"""A value that canonical JSON can hold: dict, list, str, int, bool or None."""

Role = Literal["peer", "client", "admin", "orderer"]

ValidationCode = Literal[
    "VALID",
    "BAD_PAYLOAD",
    "BAD_CERTIFICATE",
    "REVOKED_CERTIFICATE",
    "BAD_SIGNATURE",
    "DUPLICATE_TXID",
    "TIMESTAMP_OUT_OF_WINDOW",
    "ENDORSEMENT_POLICY_FAILURE",
    "MVCC_READ_CONFLICT",
    "PHANTOM_READ_CONFLICT",
]
"""Why a peer kept a transaction out of the state; it stays in the block with this code."""

Version = tuple[int, int]
"""(block number, position in block) of the transaction that last wrote a key."""
