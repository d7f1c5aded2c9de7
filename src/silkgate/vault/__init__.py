"""The off-chain vault: chunked AES-256-GCM at rest, umbral threshold proxy re-encryption.

Owners ``Vault.seal`` a file (a fresh data key per version; the content hash goes on the
ledger), ``delegate`` a grant to proxies as ``KeyFragment``s; each ``Proxy`` re-encrypts
only while its ``GrantChecker`` (a ledger peer) confirms the grant; the recipient
``unseal_shared`` with ``threshold`` fragments, checked against the ledger's hash.
"""

from silkgate.vault._errors import (
    IntegrityError,
    NotEnoughFragments,
    ReencryptionRefused,
    UnknownObject,
    VaultError,
)
from silkgate.vault._keys import VaultKeys
from silkgate.vault._proxy import GrantChecker, KeyFragment, Proxy, delegate, unseal_shared
from silkgate.vault._stream import CHUNK_SIZE, decrypt_stream, encrypt_stream
from silkgate.vault._vault import Sealed, Vault

__all__ = [
    "CHUNK_SIZE",
    "GrantChecker",
    "IntegrityError",
    "KeyFragment",
    "NotEnoughFragments",
    "Proxy",
    "ReencryptionRefused",
    "Sealed",
    "UnknownObject",
    "Vault",
    "VaultError",
    "VaultKeys",
    "decrypt_stream",
    "delegate",
    "encrypt_stream",
    "unseal_shared",
]
