"""A client: signs proposals, collects endorsements, submits envelopes for ordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from silkgate.ledger._errors import EndorsementMismatch, LedgerError, TransactionRejected
from silkgate.ledger._identity import Identity
from silkgate.ledger._ordering import Orderer
from silkgate.ledger._peer import Peer
from silkgate.ledger._transactions import Endorsement, Envelope, Proposal
from silkgate.ledger._types import JsonValue, ValidationCode


@dataclass(frozen=True, slots=True)
class TxReceipt:
    """Where a transaction landed and what the peers concluded."""

    tx_id: str
    block: int
    code: ValidationCode
    response: JsonValue

    @property
    def is_valid(self) -> bool:
        return self.code == "VALID"

    def as_json(self) -> dict[str, object]:
        return {"tx_id": self.tx_id, "block": self.block, "code": self.code,
                "response": self.response}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pending:
    """An envelope on its way: its id and the response the endorsers agreed on."""

    tx_id: str
    envelope: Envelope
    response: JsonValue


class Client:
    """Acts for one member identity against a set of peers and an orderer."""

    def __init__(
        self,
        identity: Identity,
        peers: dict[str, Peer],
        orderer: Orderer,
        settle: Callable[[], None],
    ) -> None:
        self.identity = identity
        self._peers = peers
        self._orderer = orderer
        self._settle = settle

    @property
    def subject(self) -> str:
        return self.identity.subject

    def prepare(
        self,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        endorsers: Sequence[str] | None = None,
        at: dt.datetime | None = None,
    ) -> Pending:
        """Sign a proposal and collect identical endorsements from ``endorsers`` (all peers)."""
        proposal, proposal_bytes, signature = signed_proposal(
            self.identity, contract, function, args, at
        )
        chosen = list(endorsers) if endorsers is not None else sorted(self._peers)
        unknown = [org for org in chosen if org not in self._peers]
        if unknown:
            raise LedgerError(f"no peer for {unknown}")
        results = [self._peers[org].endorse(proposal_bytes, signature) for org in chosen]
        return assemble(
            proposal,
            proposal_bytes,
            signature,
            chosen,
            [(r.payload, r.endorsement, r.response) for r in results],
        )

    def submit(self, pending: Pending) -> None:
        self._orderer.submit(pending.envelope.to_bytes())

    def receipt(self, pending: Pending, peer: str | None = None) -> TxReceipt:
        """The outcome as a peer (the first one by default) committed it."""
        source = self._peers[peer or sorted(self._peers)[0]]
        record = source.tx(pending.tx_id)
        if record is None:
            raise LedgerError(f"transaction {pending.tx_id} is not committed yet")
        return TxReceipt(pending.tx_id, record.block, record.code, pending.response)

    def invoke(
        self,
        contract: str,
        function: str,
        args: JsonValue,
        *,
        endorsers: Sequence[str] | None = None,
        at: dt.datetime | None = None,
    ) -> TxReceipt:
        """Endorse, order, commit and return the receipt; raise if the peers rejected it."""
        pending = self.prepare(contract, function, args, endorsers=endorsers, at=at)
        self.submit(pending)
        self._settle()
        receipt = self.receipt(pending)
        if not receipt.is_valid:
            raise TransactionRejected(
                f"{contract}.{function} rejected: {receipt.code}",
                code=receipt.code,
                tx_id=receipt.tx_id,
            )
        return receipt


def signed_proposal(
    identity: Identity, contract: str, function: str, args: JsonValue, at: dt.datetime | None
) -> tuple[Proposal, bytes, bytes]:
    """A proposal made and signed by ``identity``: the proposal, its bytes, the signature."""
    proposal = Proposal.make(identity.cert_pem, contract, function, args, at=at)
    proposal_bytes = proposal.to_bytes()
    return proposal, proposal_bytes, identity.sign(proposal_bytes)


def assemble(
    proposal: Proposal,
    proposal_bytes: bytes,
    signature: bytes,
    endorsers: Sequence[str],
    answers: Sequence[tuple[bytes, Endorsement, JsonValue]],
) -> Pending:
    """The envelope of identical endorsements (payload, endorsement, response per endorser)."""
    if len({payload for payload, _, _ in answers}) != 1:
        raise EndorsementMismatch(
            f"peers {', '.join(endorsers)} returned different results for {proposal.tx_id}"
        )
    payload, _, response = answers[0]
    envelope = Envelope(
        proposal=proposal_bytes,
        signature=signature,
        payload=payload,
        endorsements=tuple(endorsement for _, endorsement, _ in answers),
    )
    return Pending(proposal.tx_id, envelope, response)
