"""The exchange's view of the consortium ledger: the transactions it submits and reads.

Every state change the exchange makes is a ledger transaction signed by the organisation
that acts: registration and policies (owner), access requests with the Cedar decision
(requester), grants, revocations (owner), uses (grantee). Documents the ledger has no
contract for yet (offers, order transitions, gate decisions, invoices) are anchored by
the SHA-256 of their canonical JSON through ``consent.record`` by the dataset's owner, with
``purpose`` ``silkgate:<kind>:<ref>``; the document stays in the control-plane database and
anyone holding it can check it against the ledger.
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
        scope: str,
        purpose: str,
        destination: str,
        recipient_key: str = "",
    ) -> AccessAnswer:
        args = {"dataset_id": dataset_id, "scope": scope, "purpose": purpose,
                "destination": destination, "recipient_key": recipient_key}  # fmt: skip
        receipt = self._invoke(requester, "access", "request", args)
        response = receipt.response
        return AccessAnswer(
            request_id=str(response["request_id"]),
            allowed=response["decision"] == "allow",
            reasons=tuple(response.get("reasons", ())),
            tx_id=str(receipt.tx_id),
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

    def anchor(
        self, owner: str, dataset_id: str, kind: str, ref: str, document: Any
    ) -> tuple[str, str]:
        """Put the hash of ``document`` on the ledger as ``owner``; return (hash, tx id)."""
        digest = document_hash(document)
        args = {"dataset_id": dataset_id, "receipt_hash": digest,
                "purpose": f"{ANCHOR_PREFIX}{kind}:{ref}"}  # fmt: skip
        return digest, str(self._invoke(owner, "consent", "record", args).tx_id)

    def grant_record(self, dataset_id: str, grant_id: str) -> dict[str, Any] | None:
        value = self.get(f"grant/{dataset_id}/{grant_id}")
        return value if isinstance(value, dict) else None

    def grants_of(self, org: str) -> list[dict[str, Any]]:
        """Every grant (active or not) whose grantee belongs to ``org``."""
        with self._lock:
            entries = self.consortium.peer().range("grant/", "grant/\uffff")
        return [v for _k, v in entries if isinstance(v, dict) and v.get("grantee_org") == org]
