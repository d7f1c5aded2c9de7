"""The exchange's view of the consortium ledger: the transactions it submits and reads.

Every state change the exchange makes is a ledger transaction signed by the organisation
that acts: registration and policies (owner), access requests with Cedar's answer per scope
(requester), grants, suspensions, restorations and revocations (owner), uses (grantee).
The exchange's own documents go to the ``exchange`` contract by the SHA-256 of their
canonical JSON: offers and gate decisions (``anchor``), each order step (``order``, which the
ledger checks against the order's previous state there) and invoices (``invoice``). The
documents stay in the control-plane database; anyone holding one can check it against the
ledger. Ledgers written before the contract existed hold such hashes as ``consent`` receipts
with purpose ``silkgate:<kind>:<ref>`` (``ANCHOR_PREFIX``); the audit trail still reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from silkgate.domain import Dataset
from silkgate.ledger import Consortium, registry_args

ANCHOR_PREFIX = "silkgate:"


def document_hash(document: Any) -> str:
    """SHA-256 of the canonical JSON of ``document`` (sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AccessAnswer:
    """The ledger's ABAC answer to one access request (a committed transaction)."""

    request_id: str
    allowed: bool
    reasons: tuple[str, ...]
    tx_id: str
    allowed_scopes: tuple[str, ...] = ()
    """The scopes asked for that Cedar allowed; a grant may give only these."""


@dataclass(frozen=True, slots=True)
class ExchangeEvent:
    """One committed write of the ``exchange`` contract about a dataset."""

    tx_id: str
    block: int
    timestamp: str
    actor: str
    function: str
    record: dict[str, Any]


class LedgerLink:
    """Submits the exchange's transactions as the acting organisation; one lock per process."""

    def __init__(self, consortium: Consortium) -> None:
        self.consortium = consortium
        self._lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def _invoke(self, org: str, contract: str, function: str, args: dict[str, Any]) -> Any:
        with self._lock:
            return self.consortium.client(org).invoke(contract, function, args)

    def get(self, key: str) -> Any:
        with self._lock:
            return self.consortium.peer().get(key)

    def is_registered(self, dataset_id: str) -> bool:
        return self.get(f"dataset/{dataset_id}") is not None

    def register(self, dataset: Dataset, *, vault_ref: str) -> str:
        receipt = self._invoke(
            dataset.owner, "registry", "register", registry_args(dataset, vault_ref=vault_ref)
        )
        return str(receipt.tx_id)

    def set_policy(self, owner: str, dataset_id: str, policy_id: str, cedar: str) -> str:
        args = {"dataset_id": dataset_id, "policy_id": policy_id, "cedar": cedar}
        return str(self._invoke(owner, "access", "set_policy", args).tx_id)

    def request(
        self,
        requester: str,
        dataset_id: str,
        *,
        scopes: list[str],
        purpose: str,
        destination: str,
        recipient_key: str = "",
    ) -> AccessAnswer:
        """Ask the owner's Cedar policies for each of ``scopes``, as ``requester``."""
        args = {"dataset_id": dataset_id, "scopes": list(scopes), "purpose": purpose,
                "destination": destination, "recipient_key": recipient_key}  # fmt: skip
        receipt = self._invoke(requester, "access", "request", args)
        response = receipt.response
        return AccessAnswer(
            request_id=str(response["request_id"]),
            allowed=response["decision"] == "allow",
            reasons=tuple(response.get("reasons", ())),
            tx_id=str(receipt.tx_id),
            allowed_scopes=tuple(response.get("allowed_scopes", ())),
        )

    def grant(
        self, owner: str, dataset_id: str, request_id: str, scopes: list[str], expires: dt.datetime
    ) -> str:
        args = {"dataset_id": dataset_id, "request_id": request_id, "scopes": sorted(scopes),
                "expires_at": expires.isoformat()}  # fmt: skip
        return str(self._invoke(owner, "access", "grant", args).tx_id)

    def revoke(self, owner: str, dataset_id: str, grant_id: str) -> str:
        args = {"dataset_id": dataset_id, "grant_id": grant_id}
        return str(self._invoke(owner, "access", "revoke", args).tx_id)

    def use(self, grantee: str, dataset_id: str, grant_id: str, kind: str) -> str:
        args = {"dataset_id": dataset_id, "grant_id": grant_id, "kind": kind}
        return str(self._invoke(grantee, "access", "use", args).tx_id)

    def suspend(self, owner: str, dataset_id: str, grant_id: str, reason: str) -> str:
        args = {"dataset_id": dataset_id, "grant_id": grant_id, "reason": reason}
        return str(self._invoke(owner, "access", "suspend", args).tx_id)

    def restore(self, owner: str, dataset_id: str, grant_id: str) -> str:
        """Restore a suspended grant; the ledger refuses (``ContractRefused``) when the
        owner's Cedar policies no longer allow the grantee every scope."""
        args = {"dataset_id": dataset_id, "grant_id": grant_id}
        return str(self._invoke(owner, "access", "restore", args).tx_id)

    def anchor(
        self, owner: str, dataset_id: str, kind: str, ref: str, document: Any,
        *, party: str | None = None,
    ) -> tuple[str, str]:  # fmt: skip
        """Anchor ``document`` (an offer or a decision) as ``owner``; return (hash, tx id)."""
        digest = document_hash(document)
        args = {"dataset_id": dataset_id, "kind": kind, "ref": ref, "sha256": digest}
        if party is not None:
            args["party"] = party
        return digest, str(self._invoke(owner, "exchange", "anchor", args).tx_id)

    def order_step(
        self, actor: str, dataset_id: str, order_id: str, state: str, document: Any,
        *, request_id: str | None = None,
    ) -> tuple[str, str]:  # fmt: skip
        """Record an order's move to ``state`` as ``actor``; return (hash, tx id)."""
        digest = document_hash(document)
        args = {"dataset_id": dataset_id, "order_id": order_id, "state": state, "sha256": digest}
        if request_id is not None:
            args["request_id"] = request_id
        return digest, str(self._invoke(actor, "exchange", "order", args).tx_id)

    def invoice(
        self, provider: str, dataset_id: str, invoice_id: str, payer: str, document: Any
    ) -> tuple[str, str]:
        """Anchor an invoice of ``provider``'s ``dataset_id`` to ``payer``."""
        digest = document_hash(document)
        args = {"dataset_id": dataset_id, "invoice_id": invoice_id, "payer": payer,
                "sha256": digest}  # fmt: skip
        return digest, str(self._invoke(provider, "exchange", "invoice", args).tx_id)

    def exchange_events(self, dataset_id: str) -> list[ExchangeEvent]:
        """Every committed write of the ``exchange`` contract about ``dataset_id``."""
        prefix = f"exchange/{dataset_id}/"
        events = []
        with self._lock:
            peer = self.consortium.peer()
            for entry in peer.store.history_range(prefix, prefix + "\uffff"):
                record = peer.tx(entry.tx_id)
                if record is None or entry.value is None:
                    continue
                events.append(ExchangeEvent(
                    tx_id=entry.tx_id, block=entry.block, timestamp=record.timestamp,
                    actor=record.creator, function=record.function,
                    record=json.loads(entry.value)))  # fmt: skip
        return events

    def grant_record(self, dataset_id: str, grant_id: str) -> dict[str, Any] | None:
        value = self.get(f"grant/{dataset_id}/{grant_id}")
        return value if isinstance(value, dict) else None

    def grants_of(self, org: str) -> list[dict[str, Any]]:
        """Every grant (active or not) whose grantee belongs to ``org``."""
        with self._lock:
            entries = self.consortium.peer().range("grant/", "grant/\uffff")
        return [v for _k, v in entries if isinstance(v, dict) and v.get("grantee_org") == org]
