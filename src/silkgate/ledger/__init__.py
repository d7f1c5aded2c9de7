"""The consortium ledger: identities, execute–order–validate, contracts, proofs and audit.

Organisations each run a CA and a peer; clients sign proposals, peers endorse them by
running deterministic contracts (``registry``, ``access`` with Cedar policies, ``consent``,
``governance``, ``exchange``), an ``Orderer`` cuts blocks, and every peer validates and
commits them.
Start with ``Consortium.create(home, parties)`` and ``Consortium(home).start()`` (``solo``
ordering, one process), or ``Cluster.create(home, parties).start()`` (``jetstream``
ordering: NATS servers and one peer process per organisation; ``ClusterClient``).
"""

from silkgate.ledger._audit import AuditEvent, audit
from silkgate.ledger._blocks import Block, BlockHeader, CommitRecord
from silkgate.ledger._client import Client, Pending, TxReceipt
from silkgate.ledger._cluster import Cluster
from silkgate.ledger._config import DEFAULT_POLICIES, ConsortiumConfig, OrderingSettings, OrgConfig
from silkgate.ledger._consortium import Consortium, registry_args, verify_ledger
from silkgate.ledger._contracts import (
    ANCHOR_KINDS,
    ORDER_TRANSITIONS,
    SCOPES,
    Contract,
    StateReader,
    TxContext,
    approve_config,
    default_contracts,
    function,
    grant_allows,
)
from silkgate.ledger._errors import (
    ContractRefused,
    EndorsementMismatch,
    LedgerCorrupt,
    LedgerError,
    TransactionRejected,
    UnknownIdentity,
)
from silkgate.ledger._identity import CertificateAuthority, Identity, Member, Msp
from silkgate.ledger._merkle import InclusionProof, merkle_root, verify_inclusion
from silkgate.ledger._nats import NatsServers, NatsTls, nats_tls_context
from silkgate.ledger._node import PeerNode, run_peer
from silkgate.ledger._ordering import (
    BlockCutter,
    CutPoint,
    CutRecord,
    JetStreamOrderer,
    Orderer,
    SoloOrderer,
    StreamMessage,
    StreamNames,
)
from silkgate.ledger._peer import Endorsed, Peer
from silkgate.ledger._policy import EndorsementPolicy
from silkgate.ledger._remote import ClusterClient
from silkgate.ledger._store import HistoryEntry, LedgerStore, StateEntry, TxRecord
from silkgate.ledger._transactions import Endorsement, Envelope, Proposal, ReadWriteSet
from silkgate.ledger._types import ValidationCode
from silkgate.ledger._validator import BlockValidator, ConfigView
from silkgate.ledger._verify import VerifyReport, verify_store

__all__ = [
    "ANCHOR_KINDS",
    "DEFAULT_POLICIES",
    "ORDER_TRANSITIONS",
    "SCOPES",
    "AuditEvent",
    "Block",
    "BlockCutter",
    "BlockHeader",
    "BlockValidator",
    "CertificateAuthority",
    "Client",
    "Cluster",
    "ClusterClient",
    "CommitRecord",
    "ConfigView",
    "Consortium",
    "ConsortiumConfig",
    "Contract",
    "ContractRefused",
    "CutPoint",
    "CutRecord",
    "Endorsed",
    "Endorsement",
    "EndorsementMismatch",
    "EndorsementPolicy",
    "Envelope",
    "HistoryEntry",
    "Identity",
    "InclusionProof",
    "JetStreamOrderer",
    "LedgerCorrupt",
    "LedgerError",
    "LedgerStore",
    "Member",
    "Msp",
    "NatsServers",
    "NatsTls",
    "Orderer",
    "OrderingSettings",
    "OrgConfig",
    "Peer",
    "PeerNode",
    "Pending",
    "Proposal",
    "ReadWriteSet",
    "SoloOrderer",
    "StateEntry",
    "StateReader",
    "StreamMessage",
    "StreamNames",
    "TransactionRejected",
    "TxContext",
    "TxReceipt",
    "TxRecord",
    "UnknownIdentity",
    "ValidationCode",
    "VerifyReport",
    "approve_config",
    "audit",
    "default_contracts",
    "function",
    "grant_allows",
    "merkle_root",
    "nats_tls_context",
    "registry_args",
    "run_peer",
    "verify_inclusion",
    "verify_ledger",
    "verify_store",
]
