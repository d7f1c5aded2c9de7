"""Canonical JSON and hashing: the bytes every signature and hash in the ledger is over."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import orjson


def canonical(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_strings(value: dict[str, Any] | list[Any]) -> bytes:
    """``canonical`` for values built only of strings, lists and string-keyed objects.

    orjson writes such values byte for byte as ``canonical`` does (same escapes, raw
    non-ASCII, sorted keys) several times faster; it differs on floats and huge integers,
    which is why it serves only these fixed shapes (envelopes, lists of block data).
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def dump_data(items: Sequence[bytes]) -> str:
    """Block data as stored: a JSON array of the items' UTF-8 texts.

    An item that is not UTF-8 (no transaction is, but anyone can publish bytes to the
    ordering stream) is stored as ``{"hex": ...}``, so such a block still commits.
    """
    return canonical_strings([_stored(item) for item in items]).decode()


def _stored(item: bytes) -> str | dict[str, str]:
    try:
        return item.decode()
    except UnicodeDecodeError:
        return {"hex": item.hex()}


def load_data(text: str) -> tuple[bytes, ...]:
    """The inverse of ``dump_data``."""
    return tuple(
        item.encode() if isinstance(item, str) else bytes.fromhex(item["hex"])
        for item in orjson.loads(text)
    )


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
