"""Ledger errors.

SilkgateError
├── InvalidInput
│   ├── ContractRefused        a contract refused the proposal while endorsing (nothing ordered)
│   ├── UnknownIdentity        a certificate or member the consortium does not know
│   └── Conflict (domain)
│       └── TransactionRejected  ordered, then marked invalid by the peers (``.code``)
└── LedgerError                ours or the environment's
    ├── EndorsementMismatch    endorsing peers returned different results (state diverged)
    └── LedgerCorrupt          ``verify`` found a changed block or state (``.block``)
"""

from __future__ import annotations

from silkgate.domain import Conflict, InvalidInput, SilkgateError


class LedgerError(SilkgateError):
    """Root of the ledger's own failures."""


class ContractRefused(InvalidInput):
    """The contract found the request wrong (unknown dataset, not the owner, bad arguments)."""


class UnknownIdentity(InvalidInput):
    """A certificate not issued by a member's CA, or a member name with no enrolment."""


class TransactionRejected(Conflict):
    """The transaction was ordered but every peer marked it invalid; ``.code`` says why."""

    def __init__(self, message: str, *, code: str, tx_id: str) -> None:
        super().__init__(message, field="transaction")
        self.code = code
        self.tx_id = tx_id


class EndorsementMismatch(LedgerError):
    """Peers simulated the same proposal to different read/write sets."""


class LedgerCorrupt(LedgerError):
    """A committed block or the world state differs from what the chain proves."""

    def __init__(self, message: str, *, block: int, peer: str | None = None) -> None:
        super().__init__(message, field=None)
        self.block = block
        self.peer = peer
