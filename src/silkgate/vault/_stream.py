"""Chunked AES-256-GCM: files of any size encrypted and decrypted in bounded memory.

Format: ``b"SGV1"``, chunk size (4 bytes), a random 7-byte nonce prefix; then chunks of
``chunk size + 16`` bytes (the last may be shorter). Each chunk's nonce is the prefix, a
4-byte counter and a last-chunk flag, with the header as associated data (the STREAM
construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015): reordering, dropping,
truncating or extending chunks fails authentication. Keys are used for one file only.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from silkgate.vault._errors import IntegrityError

MAGIC = b"SGV1"
CHUNK_SIZE = 1 << 20
_TAG = 16
_MAX_CHUNKS = 1 << 32


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", counter, last)


def encrypt_stream(
    source: BinaryIO, sink: BinaryIO, key: bytes, *, chunk_size: int = CHUNK_SIZE
) -> tuple[str, int]:
    """Encrypt ``source`` into ``sink``; return the SHA-256 (hex) and size of the plaintext."""
    if len(key) != 32:
        raise ValueError("AES-256 needs a 32-byte key")
    aead = AESGCM(key)
    prefix = os.urandom(7)
    header = MAGIC + struct.pack(">I", chunk_size) + prefix
    sink.write(header)
    digest = hashlib.sha256()
    size = 0
    counter = 0
    chunk = source.read(chunk_size)
    while True:
        following = source.read(chunk_size)
        last = not following
        digest.update(chunk)
        size += len(chunk)
        sink.write(aead.encrypt(_nonce(prefix, counter, last), chunk, header))
        if last:
            return digest.hexdigest(), size
        counter += 1
        if counter >= _MAX_CHUNKS:
            raise ValueError("file too large for one data key")
        chunk = following


def decrypt_stream(source: BinaryIO, sink: BinaryIO, key: bytes) -> str:
    """Decrypt into ``sink``; return the plaintext's SHA-256 (hex). Raise IntegrityError."""
    header = source.read(len(MAGIC) + 4 + 7)
    if len(header) != len(MAGIC) + 11 or not header.startswith(MAGIC):
        raise IntegrityError("not a silkgate vault object (bad header)")
    (chunk_size,) = struct.unpack(">I", header[4:8])
    prefix = header[8:]
    aead = AESGCM(key)
    digest = hashlib.sha256()
    counter = 0
    sealed = source.read(chunk_size + _TAG)
    while True:
        following = source.read(chunk_size + _TAG)
        last = not following
        try:
            chunk = aead.decrypt(_nonce(prefix, counter, last), sealed, header)
        except InvalidTag:
            raise IntegrityError(f"chunk {counter} fails authentication") from None
        digest.update(chunk)
        sink.write(chunk)
        if last:
            return digest.hexdigest()
        counter += 1
        sealed = following
