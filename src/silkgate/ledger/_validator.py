"""Validation: what every peer checks in every block before anything reaches its state.

Block level (a failure refuses the whole block): the number follows the peer's height,
the previous hash is the peer's last block hash, the Merkle root matches the transactions
and an orderer certificate of the configuration signed the header (``solo``), or, with
``jetstream`` ordering where each peer cuts blocks from the replicated stream itself, the
block's cut record continues the previous block's range of stream sequences. Transaction level (a
failure keeps the transaction in the block with a code, and out of the state): payload
well formed, time within the allowed skew of the block's, creator certificate issued by a
member CA, valid and not revoked, creator signature, no earlier transaction with the same
id, endorsements by valid peer certificates whose signatures verify and whose
organisations satisfy the contract's endorsement policy, every read version (and range
read) unchanged since endorsement. Guarantee: an orderer can delay, drop or reorder
transactions but cannot make a peer commit one these checks reject.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from silkgate.ledger._blocks import GENESIS_PREVIOUS, Block, BlockHeader, CommitRecord, commit_hash
from silkgate.ledger._codec import canonical, loads, sha256_hex
from silkgate.ledger._config import ConsortiumConfig
from silkgate.ledger._contracts import CONFIG_KEY, CRL_PREFIX, Contract
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._identity import Identity, Member, Msp
from silkgate.ledger._merkle import merkle_root
from silkgate.ledger._ordering._cutter import GENESIS_SEQ, MAX_BATCH, CutRecord, stream_name
from silkgate.ledger._sigcache import VerifiedSignatures
from silkgate.ledger._store import BlockUpdate, HistoryEntry, LedgerStore, StateEntry, TxRecord
from silkgate.ledger._transactions import Envelope, Proposal, ReadWriteSet, make_tx_id
from silkgate.ledger._types import ValidationCode, Version


@dataclass(frozen=True, slots=True)
class ConfigView:
    """The configuration in force and the MSP built from it and the CRLs on the ledger."""

    config: ConsortiumConfig
    msp: Msp

    @classmethod
    def load(cls, reader: LedgerStore) -> ConfigView | None:
        entry = reader.get(CONFIG_KEY)
        if entry is None:
            return None
        config = ConsortiumConfig.model_validate_json(entry.value)
        crls = {
            json.loads(e.value)["org"]: json.loads(e.value)["crl"]
            for e in reader.range(CRL_PREFIX, CRL_PREFIX + "\uffff")
        }
        ca_pems = {o.id: o.ca_pem for o in config.orgs}
        return cls(config, Msp(ca_pems, {org: p for org, p in crls.items() if org in ca_pems}))

    def orderer(self, at: dt.datetime) -> list[Member]:
        found = []
        for pem in self.config.ordering.orderer_certs:
            member = self.msp.identify(pem, at)
            if isinstance(member, Member) and member.role == "orderer":
                found.append(member)
        return found


def make_genesis(config: ConsortiumConfig, orderer: Identity, at: dt.datetime) -> Block:
    data = (canonical({"genesis": config.model_dump(mode="json")}),)
    header = BlockHeader(0, GENESIS_PREVIOUS, merkle_root(data).hex(), at.isoformat())
    return Block(header, orderer.sign(header.hash.encode()), data)


class _Overlay:
    """Committed state with the writes of earlier valid transactions of this block on top.

    ``committed`` holds the entries of keys read in advance for the whole block (one query);
    a key outside ``fetched`` is read from the store.
    """

    def __init__(
        self,
        store: LedgerStore,
        pending: dict[str, tuple[str | None, Version]],
        committed: dict[str, StateEntry],
        fetched: set[str],
    ):
        self._store = store
        self._pending = pending
        self._committed = committed
        self._fetched = fetched

    def _committed_entry(self, key: str) -> StateEntry | None:
        if key in self._fetched:
            return self._committed.get(key)
        return self._store.get(key)

    def get(self, key: str) -> StateEntry | None:
        if key in self._pending:
            value, version = self._pending[key]
            return None if value is None else StateEntry(key, value, version)
        return self._committed_entry(key)

    def version(self, key: str) -> Version | None:
        entry = self.get(key)
        return None if entry is None else entry.version

    def range(self, start: str, end: str) -> list[StateEntry]:
        found = {e.key: e for e in self._store.range(start, end)}
        for key, (value, version) in self._pending.items():
            if start <= key < end:
                if value is None:
                    found.pop(key, None)
                else:
                    found[key] = StateEntry(key, value, version)
        return [found[k] for k in sorted(found)]


@dataclass(slots=True)
class _Parsed:
    """One transaction after parsing and certificate checks, before signatures."""

    envelope: Envelope
    proposal: Proposal
    rwset: ReadWriteSet
    when: dt.datetime
    creator: Member | str
    endorsers: list[Member | str]
    first_check: int = 0


@dataclass(frozen=True, slots=True)
class Screened:
    """A block's transactions parsed, with each signature's verdict (``screen``)."""

    block: Block
    view: ConfigView
    parsed: list[_Parsed | None]
    verified: list[bool]


_PARALLEL_FROM = 64
"""Below this many signatures in a block, verify them inline."""


class BlockValidator:
    """Turns a delivered block into the update a peer commits (``Validator.validate``).

    Signatures are verified inline unless ``workers`` > 1 asks for a thread pool (on the
    2-core test machine a pool doubled a block's validation time); ``close()`` stops it.
    """

    def __init__(
        self,
        contracts: Mapping[str, Contract],
        *,
        workers: int | None = None,
        signatures: VerifiedSignatures | None = None,
    ) -> None:
        self.contracts = contracts
        self._workers = workers if workers is not None else 1
        self._signatures = signatures if signatures is not None else VerifiedSignatures()
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _verify_all(self, checks: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
        verify = self._signatures.verify
        if self._workers <= 1 or len(checks) < _PARALLEL_FROM:
            return [verify(*c) for c in checks]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="verify")
        size = -(-len(checks) // self._workers)
        parts = [checks[i : i + size] for i in range(0, len(checks), size)]
        results: list[bool] = []
        for part in self._pool.map(lambda cs: [verify(*c) for c in cs], parts):
            results.extend(part)
        return results

    def screen(self, block: Block, view: ConfigView | None) -> Screened | None:
        """The checks that need no state: parsing, certificates and every signature.

        Safe on another thread than the one committing (it reads neither store nor
        peer), so a peer can screen the next block while it endorses or commits;
        ``validate`` takes the result if it was made for the same block and view.
        """
        if view is None or block.number == 0:
            return None
        parsed = [self._parse(raw, view) for raw in block.data]
        checks: list[tuple[bytes, bytes, bytes]] = []
        for item in parsed:
            if isinstance(item, _Parsed):
                item.first_check = len(checks)
                if isinstance(item.creator, Member):
                    checks.append(
                        (item.creator.public_key, item.envelope.proposal, item.envelope.signature)
                    )
                for endorser, e in zip(item.endorsers, item.envelope.endorsements, strict=True):
                    if isinstance(endorser, Member):
                        checks.append((endorser.public_key, item.envelope.payload, e.signature))
        return Screened(block, view, parsed, self._verify_all(checks))

    def validate(
        self,
        block: Block,
        store: LedgerStore,
        view: ConfigView | None,
        screened: Screened | None = None,
    ) -> BlockUpdate:
        height = store.height
        last = store.last_commit()
        if block.number != height:
            raise LedgerError(f"block {block.number} delivered at height {height}")
        if not block.data_matches():
            raise LedgerError(f"block {block.number}: Merkle root does not match its transactions")
        at = dt.datetime.fromisoformat(block.header.timestamp)
        if block.number == 0:
            return self._genesis(block, store, at)
        if last is None or view is None:
            raise LedgerError(f"block {block.number} delivered before the genesis block")
        if block.header.previous_hash != last[0]:
            raise LedgerError(f"block {block.number}: previous hash is not block {height - 1}'s")
        if view.config.ordering.kind == "jetstream":
            self._check_cut(block, store)
        elif not any(
            o.verify(block.header.hash.encode(), block.signature) for o in view.orderer(at)
        ):
            raise LedgerError(f"block {block.number}: not signed by a configured orderer")
        if screened is None or screened.block is not block or screened.view is not view:
            screened = self.screen(block, view)
            assert screened is not None
        parsed, verified = screened.parsed, screened.verified
        valid_parse = [item for item in parsed if isinstance(item, _Parsed)]
        seen = store.known_txs(item.proposal.tx_id for item in valid_parse)
        fetched = {key for item in valid_parse for key in item.rwset.reads}
        pending: dict[str, tuple[str | None, Version]] = {}
        history: list[HistoryEntry] = []
        txs: list[TxRecord] = []
        codes: list[ValidationCode] = []
        overlay = _Overlay(store, pending, store.entries(fetched), fetched)
        for position, item in enumerate(parsed):
            if not isinstance(item, _Parsed):
                codes.append("BAD_PAYLOAD")
                continue
            code = self._check(item, at, view, overlay, seen, verified)
            codes.append(code)
            proposal = item.proposal
            subject = item.creator.subject if isinstance(item.creator, Member) else "?"
            if code != "DUPLICATE_TXID":
                seen.add(proposal.tx_id)
                txs.append(
                    TxRecord(
                        proposal.tx_id, block.number, position, code, proposal.contract,
                        proposal.function, subject, proposal.timestamp,
                    )
                )  # fmt: skip
            if code == "VALID":
                for key, value in item.rwset.writes.items():
                    text = None if value is None else canonical(value).decode()
                    pending[key] = (text, (block.number, position))
                    history.append(HistoryEntry(key, block.number, position, proposal.tx_id, text))
        return self._finish(block, store, last[1], tuple(codes), pending, history, txs)

    @staticmethod
    def _check_cut(block: Block, store: LedgerStore) -> None:
        """The block's cut record continues the previous block's range of the same stream.

        Block 1 starts right after the genesis message on the stream named for this
        ledger's genesis block; every later block starts right after its predecessor's
        range, on its stream; a range's messages hold at least the block's transactions
        (at most ``MAX_BATCH`` per message).
        """
        record = CutRecord.read(block.signature)
        # Block 1's previous hash was checked above: it is this ledger's genesis hash.
        stream, previous = stream_name(block.header.previous_hash), GENESIS_SEQ
        if block.number > 1:
            before = CutRecord.read(store.signature(block.number - 1) or b"")
            stream, previous = ("", -1) if before is None else (before.stream, before.last)
        if (
            record is None
            or record.stream != stream
            or record.first != previous + 1
            or record.last < record.first
            or (record.last - record.first + 1) * MAX_BATCH < len(block.data)
        ):
            raise LedgerError(
                f"block {block.number}: its cut record does not continue block "
                f"{block.number - 1}'s range of the ordering stream {stream or '?'}"
            )

    def _genesis(self, block: Block, store: LedgerStore, at: dt.datetime) -> BlockUpdate:
        if len(block.data) != 1:
            raise LedgerError("block 0 must hold exactly the genesis configuration")
        try:
            config = ConsortiumConfig.model_validate(json.loads(block.data[0])["genesis"])
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(f"block 0: not a genesis configuration ({exc})") from None
        view = ConfigView(config, Msp({o.id: o.ca_pem for o in config.orgs}, {}))
        if not any(o.verify(block.header.hash.encode(), block.signature) for o in view.orderer(at)):
            raise LedgerError("block 0: not signed by an orderer it configures")
        text = canonical(config.model_dump(mode="json")).decode()
        pending: dict[str, tuple[str | None, Version]] = {CONFIG_KEY: (text, (0, 0))}
        tx_id = sha256_hex(block.data[0])
        history = [HistoryEntry(CONFIG_KEY, 0, 0, tx_id, text)]
        txs = [
            TxRecord(tx_id, 0, 0, "VALID", "genesis", "genesis", "orderer", block.header.timestamp)
        ]
        return self._finish(block, store, GENESIS_PREVIOUS, ("VALID",), pending, history, txs)

    def _finish(
        self,
        block: Block,
        store: LedgerStore,
        previous_commit: str,
        codes: tuple[ValidationCode, ...],
        pending: dict[str, tuple[str | None, Version]],
        history: list[HistoryEntry],
        txs: list[TxRecord],
    ) -> BlockUpdate:
        accumulator = store.accumulator()
        olds = store.entries(pending)
        for key, (value, version) in pending.items():
            old = olds.get(key)
            if old is not None:
                accumulator.remove(old.key, old.value, old.version)
            if value is not None:
                accumulator.add(key, value, version)
        root = accumulator.root()
        record = CommitRecord(codes, root, commit_hash(previous_commit, block.hash, codes, root))
        return BlockUpdate(block, record, accumulator, pending, history, txs)

    def _parse(self, raw: bytes, view: ConfigView) -> _Parsed | None:
        try:
            envelope = Envelope.from_bytes(raw)
            proposal = Proposal.from_bytes(envelope.proposal)
            payload = loads(envelope.payload)
            rwset = ReadWriteSet.from_json(payload["rwset"])
            well_formed = (
                proposal.tx_id == make_tx_id(bytes.fromhex(proposal.nonce), proposal.creator)
                and payload["proposal_hash"] == sha256_hex(envelope.proposal)
                and proposal.contract in self.contracts
            )
            when = proposal.time
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            # RecursionError: deeply nested JSON must be malformed on every peer, never a crash.
            return None
        if not well_formed or when.tzinfo is None:
            return None
        return _Parsed(
            envelope=envelope,
            proposal=proposal,
            rwset=rwset,
            when=when,
            creator=view.msp.identify(proposal.creator, when),
            endorsers=[view.msp.identify(e.endorser, when) for e in envelope.endorsements],
        )

    def _check(
        self,
        item: _Parsed,
        at: dt.datetime,
        view: ConfigView,
        overlay: _Overlay,
        seen: set[str],
        verified: list[bool],
    ) -> ValidationCode:
        """The transaction's code; ``seen`` holds the ids on the ledger or earlier in the block."""
        proposal, creator = item.proposal, item.creator
        if isinstance(creator, str):
            return creator  # type: ignore[return-value]
        if abs((item.when - at).total_seconds()) > view.config.max_clock_skew_s:
            return "TIMESTAMP_OUT_OF_WINDOW"
        index = item.first_check
        if not verified[index]:
            return "BAD_SIGNATURE"
        if proposal.tx_id in seen:
            return "DUPLICATE_TXID"
        orgs: set[str] = set()
        for endorser in item.endorsers:
            if isinstance(endorser, str):
                return endorser  # type: ignore[return-value]
            index += 1
            if not verified[index]:
                return "BAD_SIGNATURE"
            if endorser.role == "peer":
                orgs.add(endorser.org)
        policy = view.config.policy(proposal.contract)
        owner = None
        if policy.needs_owner:
            contract = self.contracts[proposal.contract]
            owner = contract.owner(proposal.function, proposal.args, overlay)
        if not policy.is_satisfied(orgs, len(view.config.orgs), owner):
            return "ENDORSEMENT_POLICY_FAILURE"
        for key, version in item.rwset.reads.items():
            if overlay.version(key) != version:
                return "MVCC_READ_CONFLICT"
        for start, end, seen_entries in item.rwset.ranges:
            now = [(e.key, e.version) for e in overlay.range(start, end)]
            if now != seen_entries:
                return "PHANTOM_READ_CONFLICT"
        return "VALID"
