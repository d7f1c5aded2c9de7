"""The vault: datasets sealed off-chain, one fresh AES-256 data key per dataset version.

``seal`` streams a file through AES-256-GCM (``_stream``) and encrypts the data key to the
owner's umbral public key (the capsule); the plaintext's SHA-256 is returned for the
ledger. Guarantee: without the owner's secret key, or ``threshold`` capsule fragments
re-encrypted for a recipient, the data key and the content stay confidential; any change
to the ciphertext fails authentication, and decrypted content is checked against the hash
the ledger holds. The vault directory itself needs no trust beyond availability.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import umbral_pre
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict

from silkgate.vault._errors import IntegrityError, UnknownObject
from silkgate.vault._keys import VaultKeys, public_hex
from silkgate.vault._stream import CHUNK_SIZE, decrypt_stream, encrypt_stream

_REF = re.compile(r"^vault://([a-z0-9][a-z0-9_-]{0,62})/v([0-9]+)$")


class Sealed(BaseModel):
    """What the vault keeps about one sealed dataset version (no secret in it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str
    dataset_id: str
    version: int
    content_hash: str
    size: int
    capsule: str
    wrapped_key: str
    owner_key: str
    verifying_key: str


class Vault:
    """A directory of sealed objects: ``ROOT/DATASET/vN.bin`` and ``vN.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def seal(
        self, dataset_id: str, source: Path, owner: VaultKeys, *, chunk_size: int = CHUNK_SIZE
    ) -> Sealed:
        """Encrypt ``source`` as the next version of ``dataset_id`` under a fresh data key."""
        directory = self.root / dataset_id
        directory.mkdir(parents=True, exist_ok=True)
        version = 1 + max((int(p.stem[1:]) for p in directory.glob("v*.json")), default=0)
        data_key = AESGCM.generate_key(bit_length=256)
        blob = directory / f"v{version}.bin"
        tmp = blob.with_suffix(".tmp")
        with source.open("rb") as plain, tmp.open("wb") as sealed_file:
            content_hash, size = encrypt_stream(plain, sealed_file, data_key, chunk_size=chunk_size)
            sealed_file.flush()
            os.fsync(sealed_file.fileno())
        tmp.replace(blob)
        capsule, wrapped = umbral_pre.encrypt(owner.public_key, data_key)
        sealed = Sealed(
            ref=f"vault://{dataset_id}/v{version}",
            dataset_id=dataset_id,
            version=version,
            content_hash=content_hash,
            size=size,
            capsule=bytes(capsule).hex(),
            wrapped_key=bytes(wrapped).hex(),
            owner_key=owner.public_hex,
            verifying_key=public_hex(owner.verifying_key),
        )
        (directory / f"v{version}.json").write_text(sealed.model_dump_json(indent=2) + "\n")
        return sealed

    def get(self, ref: str) -> Sealed:
        match = _REF.match(ref)
        path = None if match is None else self.root / match[1] / f"v{match[2]}.json"
        if path is None or not path.is_file():
            raise UnknownObject(f"no sealed object {ref!r} in {self.root}", field="ref")
        return Sealed.model_validate(json.loads(path.read_text()))

    def blob(self, sealed: Sealed) -> Path:
        return self.root / sealed.dataset_id / f"v{sealed.version}.bin"

    def unseal_with_key(
        self, sealed: Sealed, data_key: bytes, out: Path, *, expected_hash: str | None = None
    ) -> Path:
        """Decrypt to ``out``; the content must hash to ``expected_hash`` (the ledger's).

        On any mismatch ``out`` is not left behind.
        """
        expected = expected_hash or sealed.content_hash
        tmp = out.with_name(out.name + ".part")
        try:
            with self.blob(sealed).open("rb") as source, tmp.open("wb") as sink:
                got = decrypt_stream(source, sink, data_key)
            if got != expected:
                raise IntegrityError(
                    f"{sealed.ref}: content hash {got[:12]}… differs from the ledger's "
                    f"{expected[:12]}…"
                )
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return out

    def unseal_as_owner(
        self, sealed: Sealed, owner: VaultKeys, out: Path, *, expected_hash: str | None = None
    ) -> Path:
        capsule = umbral_pre.Capsule.from_bytes(bytes.fromhex(sealed.capsule))
        try:
            key = umbral_pre.decrypt_original(
                owner.secret, capsule, bytes.fromhex(sealed.wrapped_key)
            )
        except ValueError:
            raise IntegrityError(f"{sealed.ref}: data key does not open with this key") from None
        return self.unseal_with_key(sealed, bytes(key), out, expected_hash=expected_hash)
