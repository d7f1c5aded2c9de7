"""Vault errors.

SilkgateError
├── InvalidInput
│   └── NotFound
│       └── UnknownObject          no sealed object under that reference
└── VaultError                     ours or the environment's
    ├── ReencryptionRefused        a proxy found no active grant on the ledger
    ├── IntegrityError             ciphertext altered, or content differs from its hash
    └── NotEnoughFragments         fewer valid capsule fragments than the threshold
"""

from __future__ import annotations

from silkgate.domain import NotFound, SilkgateError


class VaultError(SilkgateError):
    """Root of the vault's own failures."""


class IntegrityError(VaultError):
    """A chunk failed authentication, or the plaintext does not hash to the ledger's value."""


class NotEnoughFragments(VaultError):
    """Decryption needs ``threshold`` verified capsule fragments; fewer were given."""


class UnknownObject(NotFound):
    """No sealed object under this reference."""


class ReencryptionRefused(VaultError):
    """The proxy will not re-encrypt: no active, unexpired grant covers the request."""
