"""Self-signed X.509 certificates: what a node's TLS and its MPyC links present."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

SigningKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def self_signed(
    key: SigningKey,
    common_name: str,
    lifetime: dt.timedelta,
    extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
) -> str:
    """A certificate (PEM) naming ``common_name``, signed by its own ``key``.

    Valid from five minutes ago (clock skew between parties) for ``lifetime``;
    ``extensions`` are (extension, critical) pairs.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + lifetime)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    # Ed25519 signs without a separate hash; ECDSA with SHA-256.
    digest = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, digest).public_bytes(serialization.Encoding.PEM).decode()


def private_pem(key: SigningKey) -> bytes:
    """The key as unencrypted PKCS#8 PEM (secret: write it 0600, never log it)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
