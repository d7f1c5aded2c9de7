"""The ``registry`` contract: datasets as their owners register, update and retire them."""

from __future__ import annotations

import re
from typing import Any

from silkgate.domain import InvalidInput, jurisdiction
from silkgate.ledger._contracts._base import (
    Contract,
    StateReader,
    TxContext,
    dataset_record,
    function,
    require,
    require_owner,
)
from silkgate.ledger._errors import ContractRefused
from silkgate.ledger._types import JsonValue

_HASH = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_CLASSIFICATION_KEYS = {"categories", "grade", "rows", "subjects", "sensitive_subjects"}


def _content_hash(args: dict[str, Any]) -> str:
    value = require(args, "content_hash")
    if not _HASH.match(value):
        raise ContractRefused("content_hash must be 64 lower-case hex digits", field="content_hash")
    return str(value)


def _classification(args: dict[str, Any]) -> dict[str, Any]:
    value = require(args, "classification", dict)
    unknown = set(value) - _CLASSIFICATION_KEYS
    if unknown:
        raise ContractRefused(
            f"classification has unknown keys {sorted(unknown)}; allowed "
            f"{sorted(_CLASSIFICATION_KEYS)}",
            field="classification",
        )
    return dict(value)


class RegistryContract(Contract):
    name = "registry"

    @function
    def register(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset_id = require(args, "dataset_id")
        if not _ID.match(dataset_id):
            raise ContractRefused(f"{dataset_id!r} is not a dataset id", field="dataset_id")
        owner = require(args, "owner")
        try:
            location = jurisdiction(require(args, "location"), field="location").code
        except InvalidInput as exc:
            raise ContractRefused(exc.message, field="location") from None
        if ctx.get(f"dataset/{dataset_id}") is not None:
            raise ContractRefused(
                f"dataset {dataset_id!r} is already registered", field="dataset_id"
            )
        record = {
            "id": dataset_id,
            "name": str(args.get("name", dataset_id)),
            "owner": owner,
            "location": location,
            "content_hash": _content_hash(args),
            "classification": _classification(args),
            "vault_ref": str(args.get("vault_ref", "")),
            "version": 1,
            "status": "active",
            "registered_by": ctx.creator.subject,
            "updated_at": ctx.timestamp.isoformat(),
        }
        require_owner(ctx, record)
        ctx.put(f"dataset/{dataset_id}", record)
        return {"dataset_id": dataset_id, "version": 1}

    @function
    def update(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        record = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, record)
        if record["status"] != "active":
            raise ContractRefused(f"dataset {record['id']} is retired", field="dataset_id")
        changed = dict(record)
        if "content_hash" in args:
            changed["content_hash"] = _content_hash(args)
        if "classification" in args:
            changed["classification"] = _classification(args)
        if "vault_ref" in args:
            changed["vault_ref"] = str(require(args, "vault_ref"))
        changed["version"] = int(record["version"]) + 1
        changed["updated_at"] = ctx.timestamp.isoformat()
        ctx.put(f"dataset/{record['id']}", changed)
        return {"dataset_id": record["id"], "version": changed["version"]}

    @function
    def retire(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        record = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, record)
        ctx.put(
            f"dataset/{record['id']}",
            {**record, "status": "retired", "updated_at": ctx.timestamp.isoformat()},
        )
        return {"dataset_id": record["id"], "status": "retired"}

    def owner(self, function_name: str, args: JsonValue, reader: StateReader) -> str | None:
        if function_name == "register" and isinstance(args, dict):
            owner = args.get("owner")
            return owner if isinstance(owner, str) else None
        return super().owner(function_name, args, reader)
