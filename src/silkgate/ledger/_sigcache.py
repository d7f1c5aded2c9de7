"""A peer's cache of Ed25519 signatures it has already verified (as Bitcoin Core's sigcache).

A peer verifies a client's proposal signature when it endorses the proposal and again
when the transaction reaches it in a block; the second check answers from this cache. So
does the check of the peer's own endorsement in a block: the peer records each signature
it makes (``remember``), since a triple it signed itself with its own key needs no proof.
Only successful verifications are remembered, keyed by SHA-256 over the public key, the
signature and the message, so an entry answers for exactly the triple that verified
(assumption: SHA-256 is collision resistant); a failed check is always recomputed.
Bounded: past ``capacity`` entries the oldest are forgotten. Each peer keeps its own, so
peers in one process still verify independently of each other.
"""

from __future__ import annotations

import hashlib
import threading

from silkgate.ledger._identity import verify_signature

_KEY_BYTES, _SIGNATURE_BYTES = 32, 64


class VerifiedSignatures:
    """``verify(public_key, data, signature)`` with a memory of what verified."""

    def __init__(self, capacity: int = 65_536) -> None:
        self.capacity = capacity
        self._seen: dict[bytes, None] = {}
        self._lock = threading.Lock()

    def verify(self, public_key: bytes, data: bytes, signature: bytes) -> bool:
        if len(public_key) != _KEY_BYTES or len(signature) != _SIGNATURE_BYTES:
            return verify_signature(public_key, data, signature)
        digest = _digest(public_key, data, signature)
        if digest in self._seen:
            return True
        if not verify_signature(public_key, data, signature):
            return False
        self._add(digest)
        return True

    def remember(self, public_key: bytes, data: bytes, signature: bytes) -> None:
        """Record a signature this peer just made with its own key (it is valid)."""
        if len(public_key) == _KEY_BYTES and len(signature) == _SIGNATURE_BYTES:
            self._add(_digest(public_key, data, signature))

    def _add(self, digest: bytes) -> None:
        with self._lock:
            self._seen[digest] = None
            while len(self._seen) > self.capacity:
                del self._seen[next(iter(self._seen))]

    def __len__(self) -> int:
        return len(self._seen)


def _digest(public_key: bytes, data: bytes, signature: bytes) -> bytes:
    return hashlib.sha256(public_key + signature + data).digest()
