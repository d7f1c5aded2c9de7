"""The ``access`` contract: Cedar policies per dataset, requests, grants, revocations, uses.

A request is evaluated by Cedar (``cedarpy``) with the requester's attributes from their
certificate as the principal, the dataset's registry record as the resource, the scope as
the action and purpose, destination and time as context. Cedar denies unless a ``permit``
matches and no ``forbid`` does. Both outcomes are recorded; only an allowed request can be
granted, by the owner, with scopes and an expiry. Time is the transaction's timestamp.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import cedarpy

from silkgate.ledger._contracts._base import (
    Contract,
    TxContext,
    dataset_record,
    function,
    parse_time,
    require,
    require_owner,
)
from silkgate.ledger._errors import ContractRefused
from silkgate.ledger._types import JsonValue

SCOPES: tuple[str, ...] = (
    "view",
    "download",
    "compute:psi",
    "compute:mpc",
    "compute:he",
    "compute:dp",
    "compute:fl",
)
"""What a grant may allow; each is a Cedar action ``Action::"<scope>"``."""

_POLICY_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


def _scope(value: Any, field: str = "scope") -> str:
    if value not in SCOPES:
        raise ContractRefused(f"{value!r} is not a scope; one of {', '.join(SCOPES)}", field=field)
    return str(value)


def _cedar_request(
    ctx: TxContext, dataset: dict[str, Any], scope: str, purpose: str, destination: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    member = ctx.creator
    classification = dataset.get("classification", {})
    entities: list[dict[str, Any]] = [
        {
            "uid": {"type": "Member", "id": member.subject},
            "attrs": {
                "org": member.org,
                "name": member.name,
                "role": member.role,
                "country": member.country,
                "certifications": list(member.certifications),
            },
            "parents": [{"type": "Org", "id": member.org}],
        },
        {"uid": {"type": "Org", "id": member.org}, "attrs": {"country": member.country},
         "parents": []},
        {
            "uid": {"type": "Dataset", "id": dataset["id"]},
            "attrs": {
                "owner": dataset["owner"],
                "location": dataset["location"],
                "grade": str(classification.get("grade", "")),
                "categories": [str(c) for c in classification.get("categories", [])],
                "subjects": int(classification.get("subjects", 0)),
                "version": int(dataset["version"]),
            },
            "parents": [{"type": "Org", "id": dataset["owner"]}],
        },
    ]  # fmt: skip
    request = {
        "principal": {"type": "Member", "id": member.subject},
        "action": {"type": "Action", "id": scope},
        "resource": {"type": "Dataset", "id": dataset["id"]},
        "context": {
            "purpose": purpose,
            "destination": destination,
            "time": int(ctx.timestamp.timestamp()),
            "requester_org": member.org,
        },
    }
    return request, entities


class AccessContract(Contract):
    name = "access"

    @function
    def set_policy(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        policy_id = require(args, "policy_id")
        if not _POLICY_ID.match(policy_id):
            raise ContractRefused(f"{policy_id!r} is not a policy id", field="policy_id")
        cedar = require(args, "cedar")
        try:
            cedarpy.format_policies(cedar)
        except ValueError:
            raise ContractRefused("not a Cedar policy set that parses", field="cedar") from None
        ctx.put(
            f"policy/{dataset['id']}/{policy_id}",
            {"id": policy_id, "cedar": cedar, "set_by": ctx.creator.subject,
             "at": ctx.timestamp.isoformat()},
        )  # fmt: skip
        return {"dataset_id": dataset["id"], "policy_id": policy_id}

    @function
    def remove_policy(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        key = f"policy/{dataset['id']}/{require(args, 'policy_id')}"
        if ctx.get(key) is None:
            raise ContractRefused("no such policy", field="policy_id")
        ctx.delete(key)
        return {"dataset_id": dataset["id"], "removed": args["policy_id"]}

    @function
    def request(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        """Evaluate with Cedar and record the outcome; a denial is a result, not an error."""
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        scope = _scope(args.get("scope"))
        purpose = require(args, "purpose")
        destination = require(args, "destination")
        recipient_key = str(args.get("recipient_key", ""))
        prefix = f"policy/{dataset['id']}/"
        policies = [value for _key, value in ctx.range(prefix, prefix + "\uffff")]
        reasons: list[str] = []
        if dataset["status"] != "active" or not policies:
            decision = "deny"
        else:
            request, entities = _cedar_request(ctx, dataset, scope, purpose, destination)
            result = cedarpy.is_authorized(
                request, "\n".join(p["cedar"] for p in policies), entities
            )
            if result.diagnostics.errors:
                decision = "deny"
            else:
                decision = "allow" if result.allowed else "deny"
                reasons = sorted(_policy_ids(policies, result.diagnostics.reasons))
        record = {
            "id": ctx.tx_id,
            "dataset_id": dataset["id"],
            "requester": ctx.creator.subject,
            "requester_org": ctx.creator.org,
            "scope": scope,
            "purpose": purpose,
            "destination": destination,
            "recipient_key": recipient_key,
            "decision": decision,
            "reasons": reasons,
            "at": ctx.timestamp.isoformat(),
        }
        ctx.put(f"request/{dataset['id']}/{ctx.tx_id}", record)
        return {"request_id": ctx.tx_id, "decision": decision, "reasons": reasons}

    @function
    def grant(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        request_id = require(args, "request_id")
        request = ctx.get(f"request/{dataset['id']}/{request_id}")
        if request is None:
            raise ContractRefused(
                f"no request {request_id} for {dataset['id']}", field="request_id"
            )
        if request["decision"] != "allow":
            raise ContractRefused("the request was denied by the dataset's policies",
                                  field="request_id")  # fmt: skip
        expires = parse_time(require(args, "expires_at"), "expires_at")
        if expires <= ctx.timestamp:
            raise ContractRefused(
                "expires_at is not after the transaction time", field="expires_at"
            )
        scopes = sorted({_scope(s, "scopes") for s in args.get("scopes", [request["scope"]])})
        key = f"grant/{dataset['id']}/{request_id}"
        if ctx.get(key) is not None:
            raise ContractRefused(f"request {request_id} is already granted", field="request_id")
        ctx.put(
            key,
            {
                "id": request_id,
                "dataset_id": dataset["id"],
                "dataset_version": dataset["version"],
                "grantee": request["requester"],
                "grantee_org": request["requester_org"],
                "recipient_key": request["recipient_key"],
                "scopes": scopes,
                "expires_at": expires.isoformat(),
                "status": "active",
                "granted_by": ctx.creator.subject,
                "at": ctx.timestamp.isoformat(),
            },
        )
        return {"grant_id": request_id, "scopes": scopes, "expires_at": expires.isoformat()}

    @function
    def revoke(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        require_owner(ctx, dataset)
        grant_id = require(args, "grant_id")
        key = f"grant/{dataset['id']}/{grant_id}"
        grant = ctx.get(key)
        if grant is None:
            raise ContractRefused(f"no grant {grant_id}", field="grant_id")
        ctx.put(key, {**grant, "status": "revoked", "revoked_at": ctx.timestamp.isoformat()})
        return {"grant_id": grant_id, "status": "revoked"}

    @function
    def use(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        """The grantee records a download or a computation under a grant."""
        dataset_id = require(args, "dataset_id")
        grant_id = require(args, "grant_id")
        kind = _scope(args.get("kind"), "kind")
        grant = ctx.get(f"grant/{dataset_id}/{grant_id}")
        if grant is None or grant["grantee"] != ctx.creator.subject:
            raise ContractRefused(f"no grant {grant_id} to {ctx.creator.subject}", field="grant_id")
        if not grant_allows(grant, kind, ctx.timestamp.isoformat()):
            raise ContractRefused(f"grant {grant_id} does not allow {kind} now", field="grant_id")
        ctx.put(
            f"use/{dataset_id}/{ctx.tx_id}",
            {"grant_id": grant_id, "kind": kind, "by": ctx.creator.subject,
             "at": ctx.timestamp.isoformat()},
        )  # fmt: skip
        return {"use_id": ctx.tx_id}


def grant_allows(grant: dict[str, Any], scope: str, at_iso: str) -> bool:
    """Whether ``grant`` is active, covers ``scope`` and has not expired at ``at_iso``."""
    return (
        grant.get("status") == "active"
        and scope in grant.get("scopes", ())
        and datetime.fromisoformat(at_iso) < datetime.fromisoformat(grant["expires_at"])
    )


def _policy_ids(policies: list[dict[str, Any]], reasons: list[str]) -> set[str]:
    """Map Cedar's positional ids (policy0, policy1 …) back to ours, one policy per text."""
    found: set[str] = set()
    for reason in reasons:
        index = int(reason.removeprefix("policy")) if reason.startswith("policy") else -1
        found.add(policies[index]["id"] if 0 <= index < len(policies) else reason)
    return found
