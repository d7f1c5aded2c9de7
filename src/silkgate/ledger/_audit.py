"""Audit per dataset: who registered, set policies, requested, was granted, used it, and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from silkgate.ledger._peer import Peer

_PREFIXES = ("dataset/{id}", "policy/{id}/", "request/{id}/", "grant/{id}/", "use/{id}/",
             "consent/{id}/", "exchange/{id}/")  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditEvent:
    tx_id: str
    block: int
    timestamp: str
    actor: str
    action: str
    detail: dict[str, Any]

    def as_json(self) -> dict[str, object]:
        return {"tx_id": self.tx_id, "block": self.block, "timestamp": self.timestamp,
                "actor": self.actor, "action": self.action, "detail": self.detail}  # fmt: skip


def _action(function: str, value: dict[str, Any] | None) -> str:
    if function == "request" and value is not None:
        return f"requested ({value.get('decision')})"
    if function == "use" and value is not None:
        kind = str(value.get("kind"))
        return "downloaded" if kind == "download" else f"computed ({kind.split(':')[-1]})"
    if function == "anchor" and value is not None:
        return f"{value.get('kind')} anchored"
    if function == "order" and value is not None:
        return f"order {value.get('state')}"
    return {
        "register": "registered",
        "update": "updated",
        "retire": "retired",
        "set_policy": "policy set",
        "remove_policy": "policy removed",
        "grant": "granted",
        "revoke": "revoked",
        "record": "consent recorded",
        "withdraw": "consent withdrawn",
        "suspend": "grant suspended",
        "restore": "grant restored",
        "invoice": "invoice anchored",
    }.get(function, function)


def audit(peer: Peer, dataset_id: str) -> list[AuditEvent]:
    """Every committed transaction that wrote a record of ``dataset_id``, oldest first."""
    rows = []
    for pattern in _PREFIXES:
        prefix = pattern.format(id=dataset_id)
        end = prefix + "\uffff" if prefix.endswith("/") else prefix + "\x00"
        rows.extend(peer.store.history_range(prefix, end))
    rows.sort(key=lambda h: (h.block, h.tx, h.key))
    events: list[AuditEvent] = []
    for row in rows:
        record = peer.tx(row.tx_id)
        if record is None:
            continue
        value = None if row.value is None else json.loads(row.value)
        detail = {"key": row.key}
        if isinstance(value, dict):
            for name in ("scope", "scopes", "purpose", "destination", "grantee", "kind",
                         "expires_at", "content_hash", "version", "status", "reasons", "state",
                         "ref", "sha256", "order_id", "invoice_id", "payer"):  # fmt: skip
                if name in value:
                    detail[name] = value[name]
        events.append(
            AuditEvent(
                tx_id=row.tx_id,
                block=row.block,
                timestamp=record.timestamp,
                actor=record.creator,
                action=_action(record.function, value if isinstance(value, dict) else None),
                detail=detail,
            )
        )
    return events
