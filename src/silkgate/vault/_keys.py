"""Umbral key pairs: an owner's (encrypting data keys, signing key fragments), a recipient's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from umbral_pre import PublicKey, SecretKey


@dataclass(frozen=True, slots=True)
class VaultKeys:
    """A secret key for umbral encryption and one for signing key fragments."""

    secret: SecretKey
    signer: SecretKey

    @classmethod
    def generate(cls) -> VaultKeys:
        return cls(SecretKey.random(), SecretKey.random())

    @property
    def public_key(self) -> PublicKey:
        return self.secret.public_key()

    @property
    def public_hex(self) -> str:
        """The public key as the ledger records it (compressed point, hex)."""
        return public_hex(self.public_key)

    @property
    def verifying_key(self) -> PublicKey:
        return self.signer.public_key()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(self.secret.to_be_bytes().hex() + "\n" + self.signer.to_be_bytes().hex())

    @classmethod
    def load(cls, path: Path) -> VaultKeys:
        secret, signer = path.read_text().split()
        return cls(
            SecretKey.from_be_bytes(bytes.fromhex(secret)),
            SecretKey.from_be_bytes(bytes.fromhex(signer)),
        )


def public_hex(key: PublicKey) -> str:
    return bytes(key.to_compressed_bytes()).hex()


def public_from_hex(text: str) -> PublicKey:
    return PublicKey.from_compressed_bytes(bytes.fromhex(text))
