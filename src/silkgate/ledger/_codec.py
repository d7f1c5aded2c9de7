"""Canonical JSON and hashing: the bytes every signature and hash in the ledger is over."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import orjson

_INT_MIN, _INT_END = -(1 << 63), 1 << 64
"""orjson writes integers in [-2^63, 2^64) and refuses others."""


def canonical(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: equal values give equal bytes.

    The bytes are those of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``; orjson writes them when the value holds only the types it writes
    identically (``_orjson_writes_alike``), several times faster.
    """
    if _orjson_writes_alike(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # nested past orjson's depth limit
            pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_WALK_LIMIT = 100_000
"""Values past this many nodes (or cyclic ones) are left to ``json``."""


def _orjson_writes_alike(value: Any) -> bool:
    """Only exact str, bool, None, 64-bit int, str-keyed dict, list and tuple inside.

    Floats (other exponent syntax, NaN), subclasses, enums, dates and the like are left
    to ``json``, which writes or refuses them as ``canonical`` always has.
    """
    stack: list[Any] = [value]
    budget = _WALK_LIMIT
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        budget -= 1
        if budget < 0:
            return False
        if kind is int:
            if not _INT_MIN <= item < _INT_END:
                return False
        elif kind is dict:
            if not all(type(key) is str for key in item):
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            return False
    return True


def loads(data: bytes | str) -> Any:
    """``json.loads(data)``, by orjson when that gives the same value.

    orjson refuses what json accepts beyond standard UTF-8 JSON (NaN, lone surrogates,
    UTF-16 input, integers past 64 bits); such input, and any value holding a float, is
    read again by ``json``, so the result (or the error) is always ``json.loads``'s.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
    return json.loads(data) if _has_float(value) else value


def _has_float(value: Any) -> bool:
    """Whether orjson's output (exact dicts, lists and scalars) holds a float."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return False


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
