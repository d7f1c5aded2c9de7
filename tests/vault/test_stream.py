"""Chunked AES-256-GCM: round trips at chunk boundaries; any change fails authentication."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from silkgate.vault import IntegrityError, decrypt_stream, encrypt_stream

CHUNK = 64


def _seal(data: bytes, key: bytes) -> bytes:
    sink = io.BytesIO()
    encrypt_stream(io.BytesIO(data), sink, key, chunk_size=CHUNK)
    return sink.getvalue()


@pytest.mark.parametrize(
    "size",
    [pytest.param(n, id=f"{n}-bytes") for n in (0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 7)],
)
def test_round_trip(size: int) -> None:
    key, data = os.urandom(32), os.urandom(size)
    source, sink = io.BytesIO(data), io.BytesIO()

    content_hash, written = encrypt_stream(source, sink, key, chunk_size=CHUNK)
    out = io.BytesIO()
    got_hash = decrypt_stream(io.BytesIO(sink.getvalue()), out, key)

    assert out.getvalue() == data
    assert content_hash == got_hash == hashlib.sha256(data).hexdigest()
    assert written == size


HEADER = 15
SEALED = CHUNK + 16


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda b: b[:HEADER + 10] + bytes([b[HEADER + 10] ^ 1]) + b[HEADER + 11:],
                     id="bit-flip"),
        pytest.param(lambda b: b[:HEADER + SEALED], id="truncated-at-chunk"),
        pytest.param(lambda b: b[:HEADER] + b[HEADER + SEALED:HEADER + 2 * SEALED]
                     + b[HEADER:HEADER + SEALED] + b[HEADER + 2 * SEALED:], id="reordered"),
        pytest.param(lambda b: b[:-1], id="last-byte-dropped"),
        pytest.param(lambda b: b"XXXX" + b[4:], id="bad-header"),
    ],
)  # fmt: skip
def test_tampering_fails(tamper: object) -> None:
    key = os.urandom(32)
    sealed = _seal(os.urandom(3 * CHUNK + 5), key)
    assert callable(tamper)

    with pytest.raises(IntegrityError):
        decrypt_stream(io.BytesIO(tamper(sealed)), io.BytesIO(), key)


def test_wrong_key_fails() -> None:
    sealed = _seal(b"patient records", os.urandom(32))

    with pytest.raises(IntegrityError, match="chunk 0"):
        decrypt_stream(io.BytesIO(sealed), io.BytesIO(), os.urandom(32))
