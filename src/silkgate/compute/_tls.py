"""TLS between schedulers and party nodes, pinned to the nodes' keys in the directory.

A node serves HTTPS with a self-signed certificate for its own Ed25519 signing key, the
key the directory lists for it (``Identity.tls_material``), and enrols that certificate
with its address. A scheduler trusts, for each node, exactly the certificate the directory
holds for it, and only if that certificate's key is the node's directory key; TLS 1.3.
Guarantee: task specifications, link certificates, metering and results between a
scheduler and a node are encrypted, and a scheduler's request reaches, and its answer
comes from, the node the directory names. Nothing else is trusted: no CA, no host name.
Assumes, as request signatures do, that the consortium distributes the directory file.
"""

from __future__ import annotations

import functools
import ssl
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from silkgate.domain import Unauthenticated

if TYPE_CHECKING:
    from silkgate.compute._identity import Directory


def server_context(cert_pem: str, key_pem: str) -> ssl.SSLContext:
    """A node's TLS 1.3 server context presenting its self-signed certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    with tempfile.TemporaryDirectory(prefix="silkgate-node-tls-") as tmp:
        cert, key = Path(tmp) / "node.pem", Path(tmp) / "node.key"
        cert.write_text(cert_pem)
        key.touch(mode=0o600)
        key.write_text(key_pem)  # ssl loads keys from files only; removed at once
        context.load_cert_chain(cert, key)
    return context


@functools.lru_cache(maxsize=256)
def pinned_context(cert_pem: str, verify_key_hex: str) -> ssl.SSLContext:
    """A client context trusting only ``cert_pem``, after checking it holds the node's key."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
        raw = cert.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    except ValueError:
        raise Unauthenticated("the directory's node certificate is not a certificate") from None
    if raw.hex() != verify_key_hex:
        raise Unauthenticated("the directory's node certificate is not for the node's key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False  # pinned to the certificate itself, not to a host name
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=cert_pem)
    return context


def node_tls_context(directory: Directory, party: str) -> ssl.SSLContext | None:
    """The context to reach ``party``'s node with (None: it enrolled no certificate)."""
    cert = directory.node_tls_cert(party)
    return None if cert is None else pinned_context(*cert)
