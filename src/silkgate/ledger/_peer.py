"""A peer: one organisation's copy of the ledger, its endorser and its committer."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkgate.ledger._blocks import Block, CommitRecord
from silkgate.ledger._codec import loads
from silkgate.ledger._contracts import Contract, TxContext, default_contracts
from silkgate.ledger._contracts._access import grant_allows
from silkgate.ledger._errors import ContractRefused, LedgerError, UnknownIdentity
from silkgate.ledger._identity import Identity
from silkgate.ledger._merkle import InclusionProof, prove
from silkgate.ledger._ordering import Orderer
from silkgate.ledger._sigcache import VerifiedSignatures
from silkgate.ledger._store import CommitHook, HistoryEntry, LedgerStore, StateEntry, TxRecord
from silkgate.ledger._transactions import Endorsement, Proposal, make_payload
from silkgate.ledger._types import JsonValue
from silkgate.ledger._validator import BlockValidator, ConfigView


@dataclass(frozen=True, slots=True)
class Endorsed:
    """A peer's answer to a proposal: the payload it signed, its signature, the response."""

    payload: bytes
    endorsement: Endorsement
    response: JsonValue


class Peer:
    """Endorses proposals on its committed state and commits the blocks it validates.

    ``start()`` opens its store (``path=None``: in memory); ``close()`` releases it.
    ``endorse`` and ``commit`` may run on different threads: signatures are checked and
    made outside the store lock, state is read and written under it, so one thread can
    verify a block's signatures while another endorses.
    """

    def __init__(
        self,
        identity: Identity,
        path: Path | None,
        *,
        contracts: Mapping[str, Contract] | None = None,
        commit_hook: CommitHook | None = None,
    ) -> None:
        if identity.member.role != "peer":
            raise UnknownIdentity(f"{identity.subject} is not a peer identity", field="identity")
        self.identity = identity
        self.org = identity.member.org
        self.path = path
        self.contracts = dict(contracts or default_contracts())
        self._signatures = VerifiedSignatures()
        self._validator = BlockValidator(self.contracts, signatures=self._signatures)
        self._hook = commit_hook
        self._store: LedgerStore | None = None
        self._view: ConfigView | None = None
        self._lock = threading.RLock()

    def start(self) -> Peer:
        if self._store is None:
            self._store = LedgerStore(self.path)
            self._view = ConfigView.load(self._store)
        return self

    def close(self) -> None:
        self._validator.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Peer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def store(self) -> LedgerStore:
        if self._store is None:
            raise LedgerError(f"peer {self.org} is not started")
        return self._store

    @property
    def view(self) -> ConfigView:
        if self._view is None:
            raise LedgerError(f"peer {self.org} has no genesis block yet")
        return self._view

    @property
    def height(self) -> int:
        return self.store.height

    # endorsing ---------------------------------------------------------------------------------
    def endorse(self, proposal_bytes: bytes, signature: bytes) -> Endorsed:
        """Check the client's proposal, run the contract on committed state, sign the result."""
        try:
            proposal = Proposal.from_bytes(proposal_bytes)
            when = proposal.time
        except (ValueError, KeyError, TypeError) as exc:
            raise ContractRefused(f"malformed proposal ({exc})", field="proposal") from None
        creator = self.view.msp.identify(proposal.creator, when)
        if isinstance(creator, str):
            raise UnknownIdentity(f"creator certificate refused: {creator}", field="creator")
        if not self._signatures.verify(creator.public_key, proposal_bytes, signature):
            raise UnknownIdentity("proposal signature does not verify", field="signature")
        with self._lock:
            if self.store.has_tx(proposal.tx_id):
                raise ContractRefused(f"transaction {proposal.tx_id} is already on the ledger")
            contract = self.contracts.get(proposal.contract)
            if contract is None:
                raise ContractRefused(f"no contract {proposal.contract!r}", field="contract")
            view = self.view
            ctx = TxContext(
                self.store,
                tx_id=proposal.tx_id,
                creator=creator,
                timestamp=when,
                config=view.config,
                msp=view.msp,
            )
            response = contract.invoke(ctx, proposal.function, proposal.args)
        payload = make_payload(proposal_bytes, ctx.rwset, response)
        signed = self.identity.sign(payload)
        self._signatures.remember(self.identity.member.public_key, payload, signed)
        endorsement = Endorsement(self.identity.cert_pem, signed)
        return Endorsed(payload, endorsement, response)

    # committing --------------------------------------------------------------------------------
    def commit(self, block: Block) -> CommitRecord:
        """Validate ``block`` and write it with its state changes in one transaction."""
        return self.commit_txs(block)[0]

    def commit_txs(self, block: Block) -> tuple[CommitRecord, list[TxRecord]]:
        """``commit``, also returning the transaction index rows it wrote."""
        screened = self._validator.screen(block, self._view)
        with self._lock:
            update = self._validator.validate(block, self.store, self._view, screened)
            self.store.commit(update, self._hook)
            if any(key.startswith("config/") for key in update.state) or self._view is None:
                self._view = ConfigView.load(self.store)
        return update.record, update.txs

    def sync(self, orderer: Orderer) -> int:
        """Commit every block the orderer has that this peer lacks; return how many."""
        done = 0
        for block in orderer.deliver(self.height):
            self.commit(block)
            done += 1
        return done

    # reading -----------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        entry = self.entry(key)
        return None if entry is None else loads(entry.value)

    def entry(self, key: str) -> StateEntry | None:
        with self._lock:
            return self.store.get(key)

    def range(self, start: str, end: str) -> list[tuple[str, Any]]:
        with self._lock:
            entries = self.store.range(start, end)
        return [(e.key, loads(e.value)) for e in entries]

    def history(self, key: str) -> list[HistoryEntry]:
        with self._lock:
            return self.store.history(key)

    def tx(self, tx_id: str) -> TxRecord | None:
        with self._lock:
            return self.store.tx(tx_id)

    def block(self, number: int) -> tuple[Block, CommitRecord] | None:
        with self._lock:
            return self.store.block(number)

    def last_commit_hash(self) -> str | None:
        with self._lock:
            last = self.store.last_commit()
        return None if last is None else last[1]

    def proof(self, tx_id: str) -> tuple[InclusionProof, bytes]:
        """A Merkle inclusion proof of the transaction and its envelope bytes."""
        with self._lock:
            record = self.store.tx(tx_id)
            found = None if record is None else self.store.block(record.block)
        if record is None or found is None:
            raise ContractRefused(f"no transaction {tx_id} on {self.org}'s ledger", field="tx_id")
        block = found[0]
        return prove(block.number, block.data, record.position), block.data[record.position]

    def is_granted(self, grant_id: str, dataset_id: str, recipient_key: str, scope: str) -> bool:
        """Whether an active, unexpired grant lets ``recipient_key`` use ``scope`` now.

        Proxies call this before re-encrypting (it has the vault's ``GrantChecker`` shape).
        """
        grant = self.get(f"grant/{dataset_id}/{grant_id}")
        return (
            isinstance(grant, dict)
            and grant.get("recipient_key") == recipient_key
            and grant_allows(grant, scope, dt.datetime.now(dt.UTC).isoformat())
        )
