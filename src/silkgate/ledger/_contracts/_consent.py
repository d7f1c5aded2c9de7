"""The ``consent`` contract: hashes of consent receipts an owner holds, and withdrawals.

Only the receipt's SHA-256 goes on the ledger; the receipt itself stays with the owner.
"""

from __future__ import annotations

import re
from typing import Any

from silkgate.ledger._contracts._base import (
    Contract,
    TxContext,
    dataset_record,
    function,
    require,
    require_owner,
)
from silkgate.ledger._errors import ContractRefused
from silkgate.ledger._types import JsonValue

_HASH = re.compile(r"^[0-9a-f]{64}$")


def _receipt(args: dict[str, Any]) -> str:
    value = require(args, "receipt_hash")
    if not _HASH.match(value):
        raise ContractRefused("receipt_hash must be 64 lower-case hex digits", field="receipt_hash")
    return str(value)


class ConsentContract(Contract):
    name = "consent"

    @function
    def record(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        receipt = _receipt(args)
        key = f"consent/{dataset['id']}/{receipt}"
        if ctx.get(key) is not None:
            raise ContractRefused(f"receipt {receipt} is already recorded", field="receipt_hash")
        ctx.put(
            key,
            {
                "receipt_hash": receipt,
                "purpose": str(args.get("purpose", "")),
                "status": "given",
                "recorded_by": ctx.creator.subject,
                "at": ctx.timestamp.isoformat(),
            },
        )
        return {"receipt_hash": receipt}

    @function
    def withdraw(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        key = f"consent/{dataset['id']}/{_receipt(args)}"
        current = ctx.get(key)
        if current is None:
            raise ContractRefused("no such receipt on the ledger", field="receipt_hash")
        ctx.put(key, {**current, "status": "withdrawn", "withdrawn_at": ctx.timestamp.isoformat()})
        return {"receipt_hash": current["receipt_hash"], "status": "withdrawn"}
