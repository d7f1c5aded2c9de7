"""Merkle trees over a block's transactions, RFC 9162 style, and inclusion proofs.

Leaves are hashed as SHA-256(0x00 || data) and nodes as SHA-256(0x01 || left || right),
so a leaf can never pass for a node. A proof is the audit path of RFC 9162 §2.1.3.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_root(leaves[:k]), _root(leaves[k:]))


def merkle_root(items: Sequence[bytes]) -> bytes:
    """Root over ``items`` (hashed as leaves); SHA-256 of nothing for an empty list."""
    if not items:
        return hashlib.sha256(b"").digest()
    return _root([leaf_hash(i) for i in items])


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(index, leaves[:k]), _root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _root(leaves[:k])]


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """That the transaction at ``index`` of ``size`` is under the block's ``root``."""

    block: int
    index: int
    size: int
    leaf: str
    path: tuple[str, ...]
    root: str

    def as_json(self) -> dict[str, object]:
        return {
            "block": self.block,
            "index": self.index,
            "size": self.size,
            "leaf": self.leaf,
            "path": list(self.path),
            "root": self.root,
        }


def prove(block: int, items: Sequence[bytes], index: int) -> InclusionProof:
    leaves = [leaf_hash(i) for i in items]
    return InclusionProof(
        block=block,
        index=index,
        size=len(items),
        leaf=leaves[index].hex(),
        path=tuple(h.hex() for h in _path(index, leaves)),
        root=_root(leaves).hex(),
    )


def verify_inclusion(proof: InclusionProof, data: bytes) -> bool:
    """Whether ``data`` is the leaf at ``proof.index`` of a tree with root ``proof.root``."""
    if not 0 <= proof.index < proof.size:
        return False
    fn, sn = proof.index, proof.size - 1
    r = leaf_hash(data)
    if r.hex() != proof.leaf:
        return False
    for step in proof.path:
        p = bytes.fromhex(step)
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r.hex() == proof.root
