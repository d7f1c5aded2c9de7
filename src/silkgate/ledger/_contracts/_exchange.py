"""The ``exchange`` contract: the data exchange's documents and order steps, by their hashes.

The documents stay in the exchange's database; the ledger holds the SHA-256 of each one's
canonical JSON, who put it there and when, under the dataset it concerns:

- ``anchor``: an offer or a gate decision, by the dataset's owner; anchored once.
- ``order``: a step of a Dataspace-Protocol negotiation. ``requested`` opens the order and
  is submitted by the requester's organisation, citing its ``access.request``; every later
  state must follow the order's state on the ledger (``ORDER_TRANSITIONS``). ``offered`` and
  ``agreed`` are the owner's; ``agreed`` needs the owner's active grant of that request;
  ``finalized`` and ``terminated`` may come from either side.
- ``invoice``: the provider (the owner) anchors an invoice to a payer who holds or held a
  grant on the dataset; anchored once per dataset.
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

ANCHOR_KINDS: tuple[str, ...] = ("offer", "decision")
"""Documents ``exchange.anchor`` takes; orders and invoices have their own functions."""

ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("offered", "terminated"),
    "offered": ("agreed", "terminated"),
    "agreed": ("finalized", "terminated"),
    "finalized": (),
    "terminated": (),
}
"""The states an order may move to from each state; ``requested`` is the first."""

_HASH = re.compile(r"^[0-9a-f]{64}$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


def _sha256(args: dict[str, Any]) -> str:
    value = require(args, "sha256")
    if not _HASH.match(value):
        raise ContractRefused("sha256 must be 64 lower-case hex digits", field="sha256")
    return str(value)


def _ref(args: dict[str, Any], name: str) -> str:
    value = require(args, name)
    if not _REF.match(value):
        raise ContractRefused(f"{value!r} is not a reference (letters, digits, _.:-)", field=name)
    return str(value)


def _party(ctx: TxContext, args: dict[str, Any], name: str) -> str:
    value = require(args, name)
    if value not in ctx.config.org_ids:
        raise ContractRefused(f"{value!r} is not a member organisation", field=name)
    return str(value)


def _acting_member(ctx: TxContext, orgs: tuple[str, ...], what: str) -> None:
    if ctx.creator.org not in orgs or ctx.creator.role not in ("client", "admin"):
        raise ContractRefused(
            f"{ctx.creator.subject} may not {what}: only clients and admins of "
            f"{' or '.join(orgs)} may",
            field="creator",
        )


class ExchangeContract(Contract):
    name = "exchange"

    @function
    def anchor(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        kind = require(args, "kind")
        if kind not in ANCHOR_KINDS:
            raise ContractRefused(f"{kind!r} is not one of {', '.join(ANCHOR_KINDS)}",
                                  field="kind")  # fmt: skip
        ref = _ref(args, "ref")
        digest = _sha256(args)
        party = _party(ctx, args, "party") if "party" in args else None
        key = f"exchange/{dataset['id']}/{kind}/{ref}"
        if ctx.get(key) is not None:
            raise ContractRefused(f"{kind} {ref} is already anchored", field="ref")
        ctx.put(key, {"kind": kind, "ref": ref, "sha256": digest, "party": party,
                      "by": ctx.creator.subject, "at": ctx.timestamp.isoformat()})  # fmt: skip
        return {"kind": kind, "ref": ref, "sha256": digest}

    @function
    def order(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        order_id = _ref(args, "order_id")
        state = require(args, "state")
        if state not in ORDER_TRANSITIONS:
            raise ContractRefused(f"{state!r} is not one of {', '.join(ORDER_TRANSITIONS)}",
                                  field="state")  # fmt: skip
        digest = _sha256(args)
        key = f"exchange/{dataset['id']}/order/{order_id}"
        current = ctx.get(key)
        if current is None:
            if state != "requested":
                raise ContractRefused(f"order {order_id} is not on the ledger; it opens with "
                                      "requested", field="state")  # fmt: skip
            request_id = require(args, "request_id")
            request = ctx.get(f"request/{dataset['id']}/{request_id}")
            if request is None:
                raise ContractRefused(f"no access request {request_id} for {dataset['id']}",
                                      field="request_id")  # fmt: skip
            consumer = str(request["requester_org"])
            _acting_member(ctx, (consumer,), f"open an order on request {request_id}")
        else:
            allowed = ORDER_TRANSITIONS[current["state"]]
            if state not in allowed:
                raise ContractRefused(
                    f"order {order_id} is {current['state']} on the ledger; it can move to "
                    f"{', '.join(allowed) or 'nothing'}, not {state}",
                    field="state",
                )
            request_id, consumer = current["request_id"], current["consumer"]
            if state in ("offered", "agreed"):
                require_owner(ctx, dataset)
            else:
                _acting_member(ctx, (dataset["owner"], consumer), f"{state} order {order_id}")
            if state == "agreed":
                grant = ctx.get(f"grant/{dataset['id']}/{request_id}")
                if grant is None or grant.get("status") != "active":
                    raise ContractRefused(f"request {request_id} has no active grant to agree "
                                          "on", field="state")  # fmt: skip
        ctx.put(key, {"order_id": order_id, "dataset_id": dataset["id"], "state": state,
                      "previous": None if current is None else current["state"],
                      "request_id": request_id, "consumer": consumer, "sha256": digest,
                      "by": ctx.creator.subject, "at": ctx.timestamp.isoformat()})  # fmt: skip
        return {"order_id": order_id, "state": state}

    @function
    def invoice(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        invoice_id = _ref(args, "invoice_id")
        digest = _sha256(args)
        payer = _party(ctx, args, "payer")
        prefix = f"grant/{dataset['id']}/"
        if not any(g.get("grantee_org") == payer for _k, g in ctx.range(prefix, prefix + "\uffff")):
            raise ContractRefused(f"{payer} holds no grant on {dataset['id']} to pay for",
                                  field="payer")  # fmt: skip
        key = f"exchange/{dataset['id']}/invoice/{invoice_id}"
        if ctx.get(key) is not None:
            raise ContractRefused(f"invoice {invoice_id} is already anchored", field="invoice_id")
        ctx.put(key, {"invoice_id": invoice_id, "sha256": digest, "payer": payer,
                      "provider": dataset["owner"], "by": ctx.creator.subject,
                      "at": ctx.timestamp.isoformat()})  # fmt: skip
        return {"invoice_id": invoice_id, "sha256": digest}
