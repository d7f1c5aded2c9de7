"""The consortium on one machine: each organisation's CA and peer, and a solo orderer.

Layout under ``home`` (``HOME/ledger`` in an installation)::

    consortium.json            organisations, genesis hash
    orgs/ORG/ca/               the CA certificate, key and revocation state
    orgs/ORG/members/NAME.*    enrolled members' certificates and keys
    peers/ORG.db               each peer's ledger (blocks, state, history)
    orderer/blocks.db          the orderer's block log (``solo`` ordering)
    genesis.json               the genesis block (``jetstream`` ordering: put on the stream)

Private keys are plain files readable only by their owner: the embedded setting, where
one operator runs every organisation. Across machines each organisation keeps its own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from silkgate.domain import Dataset, InvalidInput, NotFound, Party
from silkgate.ledger._client import Client, TxReceipt
from silkgate.ledger._config import DEFAULT_POLICIES, ConsortiumConfig, OrderingSettings, OrgConfig
from silkgate.ledger._contracts import approve_config, default_contracts
from silkgate.ledger._errors import LedgerError, UnknownIdentity
from silkgate.ledger._identity import CertificateAuthority, Identity
from silkgate.ledger._node import peer_store_path
from silkgate.ledger._ordering import SoloOrderer
from silkgate.ledger._ordering._cutter import genesis_message
from silkgate.ledger._peer import Peer
from silkgate.ledger._store import CommitHook, LedgerStore
from silkgate.ledger._types import Role
from silkgate.ledger._validator import make_genesis
from silkgate.ledger._verify import VerifyReport, verify_store

_MANIFEST = "consortium.json"


def verify_ledger(home: Path, *, peer: str | None = None) -> list[VerifyReport]:
    """Verify each peer's store under ``home`` (or one: ``ORG`` or ``ORG/NAME``)."""
    if not Consortium.exists(home):
        raise NotFound(f"no ledger at {home}; run `silkgate demo` first", field="--data-dir")
    orgs = [str(o["id"]) for o in json.loads((home / _MANIFEST).read_text())["orgs"]]
    if peer is not None and peer.split("/")[0] not in orgs:
        raise NotFound(f"no peer {peer!r}; one of {', '.join(orgs)}", field="--peer")
    reports = []
    for org in [peer] if peer else orgs:
        org_id, _, name = org.partition("/")
        path = peer_store_path(home, org_id, name or "peer0")
        if not path.is_file():
            reports.append(VerifyReport(org, 0, False, 0, f"{path} is missing"))
            continue
        try:
            store = LedgerStore(path)
        except sqlite3.DatabaseError as exc:
            reports.append(VerifyReport(org, 0, False, 0, f"store unreadable: {exc}"))
            continue
        try:
            reports.append(verify_store(store, default_contracts(), org))
        finally:
            store.close()
    return reports


def registry_args(dataset: Dataset, *, vault_ref: str = "") -> dict[str, Any]:
    """The ``registry.register`` arguments for a domain Dataset."""
    return {
        "dataset_id": dataset.id,
        "name": dataset.name,
        "owner": dataset.owner,
        "location": dataset.location,
        "content_hash": dataset.content_hash,
        "vault_ref": vault_ref,
        "classification": {
            "categories": sorted(dataset.categories),
            "grade": dataset.grade,
            "rows": dataset.rows,
            "subjects": dataset.subjects,
            "sensitive_subjects": dataset.sensitive_subjects,
        },
    }


class Consortium:
    """Runtime object: ``Consortium.create(...)`` once, then ``Consortium(home).start()``."""

    def __init__(self, home: Path, *, commit_hook: CommitHook | None = None) -> None:
        self.home = home
        self._hook = commit_hook
        self._manifest: dict[str, Any] = {}
        self._cas: dict[str, CertificateAuthority] = {}
        self.peers: dict[str, Peer] = {}
        self._orderer: SoloOrderer | None = None

    @classmethod
    def exists(cls, home: Path) -> bool:
        return (home / _MANIFEST).is_file()

    @classmethod
    def create(
        cls,
        home: Path,
        parties: Sequence[Party],
        *,
        policies: Mapping[str, str] | None = None,
        max_tx_per_block: int = 500,
        max_clock_skew_s: int = 900,
        ordering: Literal["solo", "jetstream"] = "solo",
    ) -> Consortium:
        """Make the CAs, peer and orderer identities and the genesis block; return it started.

        With ``jetstream`` ordering the orderer identity only signs the genesis block (later
        blocks carry cut records, see ``BlockCutter``); peers run as processes (``Cluster``).
        """
        if cls.exists(home):
            raise InvalidInput(f"{home} already holds a consortium", field="home")
        if not parties:
            raise InvalidInput("a consortium needs at least one organisation", field="parties")
        now = dt.datetime.now(dt.UTC)
        cas = {p.id: CertificateAuthority.make(p.id, p.jurisdiction, now=now) for p in parties}
        for party in parties:
            ca = cas[party.id]
            ca.save(home / "orgs" / party.id / "ca")
            members = home / "orgs" / party.id / "members"
            ca.enroll("peer0", "peer", certifications=party.certifications).save(members)
            ca.enroll("admin", "admin", certifications=party.certifications).save(members)
        first = parties[0].id
        orderer = cas[first].enroll("orderer", "orderer")
        orderer.save(home / "orgs" / first / "members")
        config = ConsortiumConfig(
            orgs=tuple(
                OrgConfig(id=p.id, name=p.name, country=p.jurisdiction, ca_pem=cas[p.id].cert_pem)
                for p in parties
            ),
            policies={**DEFAULT_POLICIES, **(policies or {})},
            ordering=OrderingSettings(
                kind=ordering, max_tx_per_block=max_tx_per_block, orderer_certs=(orderer.cert_pem,)
            ),
            max_clock_skew_s=max_clock_skew_s,
        )
        genesis = make_genesis(config, orderer, now)
        if ordering == "solo":
            log = SoloOrderer(
                home / "orderer" / "blocks.db", orderer, max_tx_per_block=max_tx_per_block
            )
            log.append_genesis(genesis)
            log.close()
        else:
            (home / "genesis.json").write_bytes(genesis_message(genesis))
        manifest = {
            "orgs": [{"id": p.id, "certifications": sorted(p.certifications)} for p in parties],
            "orderer": f"{first}/orderer",
            "genesis_hash": genesis.hash,
            "max_tx_per_block": max_tx_per_block,
            "ordering": ordering,
        }
        (home / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        return cls(home).start()

    # lifecycle ---------------------------------------------------------------------------------
    def start(self, *, sync: bool = True) -> Consortium:
        """Open the orderer and peers; with ``sync``, let peers catch up with the orderer."""
        if self._orderer is not None:
            return self
        if not self.exists(self.home):
            raise NotFound(
                f"no ledger at {self.home}; run `silkgate demo` or create one", field="--data-dir"
            )
        self._manifest = json.loads((self.home / _MANIFEST).read_text())
        for org in self.orgs:
            self._cas[org] = CertificateAuthority.load(self.home / "orgs" / org / "ca", org)
        if self.ordering == "solo":
            orderer_org, orderer_name = str(self._manifest["orderer"]).split("/")
            orderer = self.identity(orderer_org, orderer_name)
            self._orderer = SoloOrderer(
                self.home / "orderer" / "blocks.db", orderer, max_tx_per_block=self._max_tx()
            )
        elif self.peers:
            return self
        for org in self.orgs:
            peer = Peer(
                self.identity(org, "peer0"), self.home / "peers" / f"{org}.db",
                commit_hook=self._hook,
            )  # fmt: skip
            self.peers[org] = peer.start()
        if sync and self.ordering == "solo":
            self.settle()
        return self

    @property
    def ordering(self) -> str:
        """``solo`` (this process orders) or ``jetstream`` (peers run as processes)."""
        return str(self._manifest.get("ordering", "solo"))

    def _max_tx(self) -> int:
        return int(self._manifest.get("max_tx_per_block", 500))

    def close(self) -> None:
        for peer in self.peers.values():
            peer.close()
        self.peers.clear()
        if self._orderer is not None:
            self._orderer.close()
            self._orderer = None

    def __enter__(self) -> Consortium:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # members -----------------------------------------------------------------------------------
    @property
    def orgs(self) -> list[str]:
        return [str(o["id"]) for o in self._manifest.get("orgs", [])]

    @property
    def genesis_hash(self) -> str:
        return str(self._manifest["genesis_hash"])

    @property
    def orderer(self) -> SoloOrderer:
        if self._orderer is None:
            if self.ordering == "jetstream":
                raise LedgerError(
                    "this consortium orders with jetstream: its peers run as processes; "
                    "use Cluster and ClusterClient"
                )
            raise LedgerError("the consortium is not started")
        return self._orderer

    def ca(self, org: str) -> CertificateAuthority:
        if org not in self._cas:
            raise NotFound(f"no organisation {org!r}; one of {', '.join(self.orgs)}", field="org")
        return self._cas[org]

    def peer(self, org: str | None = None) -> Peer:
        """The peer of ``org`` (the first organisation's when None)."""
        chosen = org or self.orgs[0]
        if chosen not in self.peers:
            raise NotFound(f"no peer of {chosen!r}; one of {', '.join(self.orgs)}", field="peer")
        return self.peers[chosen]

    def identity(self, org: str, name: str) -> Identity:
        return Identity.load(self.home / "orgs" / self.ca(org).org / "members", name)

    def enroll(
        self,
        org: str,
        name: str,
        role: Role = "client",
        *,
        certifications: Iterable[str] | None = None,
    ) -> Identity:
        """Issue ``org``'s certificate to a new member (with the organisation's certifications)."""
        members = self.home / "orgs" / org / "members"
        if (members / f"{name}.pem").exists():
            raise InvalidInput(f"{org}/{name} is already enrolled", field="name")
        if certifications is None:
            spec = next(o for o in self._manifest["orgs"] if o["id"] == org)
            certifications = spec["certifications"]
        identity = self.ca(org).enroll(name, role, certifications=certifications)
        identity.save(members)
        return identity

    def client(self, identity: Identity | str, name: str = "client") -> Client:
        """A client acting as ``identity``, or as ``org/name`` (enrolled on first use)."""
        if isinstance(identity, str):
            org = identity
            try:
                identity = self.identity(org, name)
            except UnknownIdentity:
                identity = self.enroll(org, name)
        return Client(identity, self.peers, self.orderer, self.settle)

    def settle(self) -> None:
        """Cut what the orderer holds and let every peer commit it."""
        self.orderer.flush()
        for peer in self.peers.values():
            peer.sync(self.orderer)

    # governance --------------------------------------------------------------------------------
    def revoke(self, org: str, name: str) -> TxReceipt:
        """Revoke ``org/name``'s certificate: the CA signs a new CRL, an admin submits it."""
        member = self.identity(org, name).member
        ca = self.ca(org)
        crl = ca.revoke(member)
        ca.save(self.home / "orgs" / org / "ca")
        admin = self.client(self.identity(org, "admin"))
        return admin.invoke("governance", "update_crl", {"org": org, "crl": crl})

    def update_config(self, config: ConsortiumConfig, approvers: Sequence[str]) -> TxReceipt:
        """Submit ``config`` with the approvals of the admins of ``approvers``."""
        approvals = [approve_config(self.identity(org, "admin"), config) for org in approvers]
        admin = self.client(self.identity(approvers[0], "admin"))
        return admin.invoke(
            "governance",
            "update_config",
            {"config": config.model_dump(mode="json"), "approvals": approvals},
        )

    # checks ------------------------------------------------------------------------------------
    def verify(self) -> list[VerifyReport]:
        return [verify_store(p.store, p.contracts, org) for org, p in self.peers.items()]

    def peers_agree(self) -> bool:
        """Whether every peer has the same height and the same last commit hash."""
        return len({(p.height, p.last_commit_hash()) for p in self.peers.values()}) == 1
