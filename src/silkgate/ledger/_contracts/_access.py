"""The ``access`` contract: Cedar policies per dataset, requests, grants and their life.

A request names one scope or several; Cedar (``cedarpy``) answers each, with the requester's
attributes from their certificate as the principal, the dataset's registry record as the
resource, the scope as the action and purpose, destination and time as context. Cedar denies
unless a ``permit`` matches and no ``forbid`` does. The outcome is recorded (``allow`` when
Cedar allowed at least one scope, with ``allowed_scopes``); the owner may grant only allowed
scopes, with an expiry. A grant is ``active``, ``suspended`` (not usable; the owner may
``restore`` it only if Cedar still allows the grantee every scope, evaluated at restore with
the grantee's certificate checked again) or ``revoked``. Time is the transaction's timestamp.
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
from silkgate.ledger._identity import Member
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
    ctx: TxContext, member: Member, dataset: dict[str, Any], scope: str, purpose: str,
    destination: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
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


def _scopes_asked(args: dict[str, Any]) -> list[str]:
    """``scopes`` (a non-empty list) or ``scope`` (one), in the order asked, without repeats."""
    if "scopes" in args:
        asked = require(args, "scopes", list)
        if not asked:
            raise ContractRefused("scopes must name at least one scope", field="scopes")
        return list(dict.fromkeys(_scope(s, "scopes") for s in asked))
    return [_scope(args.get("scope"))]


def _evaluate(
    ctx: TxContext, member: Member, dataset: dict[str, Any], scopes: list[str], purpose: str,
    destination: str,
) -> tuple[list[str], list[str]]:  # fmt: skip
    """The scopes the dataset's Cedar policies allow ``member`` now, and the policies that
    decided (a retired dataset, no policy or a Cedar error allows nothing)."""
    prefix = f"policy/{dataset['id']}/"
    policies = [value for _key, value in ctx.range(prefix, prefix + "\uffff")]
    if dataset["status"] != "active" or not policies:
        return [], []
    text = "\n".join(p["cedar"] for p in policies)
    allowed: list[str] = []
    reasons: set[str] = set()
    for scope in scopes:
        request, entities = _cedar_request(ctx, member, dataset, scope, purpose, destination)
        result = cedarpy.is_authorized(request, text, entities)
        if result.diagnostics.errors:
            continue
        reasons |= _policy_ids(policies, result.diagnostics.reasons)
        if result.allowed:
            allowed.append(scope)
    return allowed, sorted(reasons)


def _grant_key(ctx: TxContext, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The owner's grant named by ``dataset_id`` and ``grant_id``, with its key."""
    dataset = dataset_record(ctx, require(args, "dataset_id"))
    require_owner(ctx, dataset)
    grant_id = require(args, "grant_id")
    key = f"grant/{dataset['id']}/{grant_id}"
    grant = ctx.get(key)
    if grant is None:
        raise ContractRefused(f"no grant {grant_id} on {dataset['id']}", field="grant_id")
    return key, grant


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
        """Evaluate each scope with Cedar and record the outcome; a denial is a result."""
        dataset = dataset_record(ctx, require(args, "dataset_id"))
        scopes = _scopes_asked(args)
        purpose = require(args, "purpose")
        destination = require(args, "destination")
        recipient_key = str(args.get("recipient_key", ""))
        allowed, reasons = _evaluate(ctx, ctx.creator, dataset, scopes, purpose, destination)
        decision = "allow" if allowed else "deny"
        record = {
            "id": ctx.tx_id,
            "dataset_id": dataset["id"],
            "requester": ctx.creator.subject,
            "requester_org": ctx.creator.org,
            "requester_cert": ctx.creator.cert_pem,
            "scope": scopes[0],
            "scopes": scopes,
            "allowed_scopes": allowed,
            "purpose": purpose,
            "destination": destination,
            "recipient_key": recipient_key,
            "decision": decision,
            "reasons": reasons,
            "at": ctx.timestamp.isoformat(),
        }
        ctx.put(f"request/{dataset['id']}/{ctx.tx_id}", record)
        return {"request_id": ctx.tx_id, "decision": decision, "reasons": reasons,
                "allowed_scopes": allowed}  # fmt: skip

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
        allowed = request.get("allowed_scopes", [request["scope"]])
        scopes = sorted({_scope(s, "scopes") for s in args.get("scopes", allowed)})
        refused = [s for s in scopes if s not in allowed]
        if refused or not scopes:
            raise ContractRefused(
                f"Cedar did not allow {', '.join(refused) or 'no scope'} on request "
                f"{request_id}; allowed: {', '.join(allowed) or 'nothing'}",
                field="scopes",
            )
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
        key, grant = _grant_key(ctx, args)
        ctx.put(key, {**grant, "status": "revoked", "revoked_at": ctx.timestamp.isoformat()})
        return {"grant_id": grant["id"], "status": "revoked"}

    @function
    def suspend(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        """The owner suspends an active grant: it allows nothing until restored."""
        key, grant = _grant_key(ctx, args)
        reason = require(args, "reason")
        if grant["status"] != "active":
            raise ContractRefused(f"grant {grant['id']} is {grant['status']}, not active",
                                  field="grant_id")  # fmt: skip
        ctx.put(key, {**grant, "status": "suspended", "suspended_at": ctx.timestamp.isoformat(),
                      "suspension": reason})  # fmt: skip
        return {"grant_id": grant["id"], "status": "suspended"}

    @function
    def restore(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        """Make a suspended grant active again, if it has not expired, the grantee's
        certificate is still valid and the dataset's Cedar policies still allow the grantee
        every scope of the grant (for the request's purpose and destination)."""
        key, grant = _grant_key(ctx, args)
        if grant["status"] != "suspended":
            raise ContractRefused(f"grant {grant['id']} is {grant['status']}, not suspended",
                                  field="grant_id")  # fmt: skip
        if ctx.timestamp >= datetime.fromisoformat(grant["expires_at"]):
            raise ContractRefused(f"grant {grant['id']} expired at {grant['expires_at']}",
                                  field="grant_id")  # fmt: skip
        dataset = dataset_record(ctx, grant["dataset_id"])
        request = ctx.get(f"request/{dataset['id']}/{grant['id']}") or {}
        if not request.get("requester_cert"):
            raise ContractRefused(f"request {grant['id']} carries no certificate to evaluate "
                                  "again; the grantee must ask anew", field="grant_id")  # fmt: skip
        grantee = ctx.msp.identify(str(request["requester_cert"]), ctx.timestamp)
        if isinstance(grantee, str):
            raise ContractRefused(f"the grantee's certificate is refused now: {grantee}",
                                  field="grant_id")  # fmt: skip
        allowed, reasons = _evaluate(ctx, grantee, dataset, list(grant["scopes"]),
                                     request["purpose"], request["destination"])  # fmt: skip
        denied = [s for s in grant["scopes"] if s not in allowed]
        if denied:
            raise ContractRefused(
                f"the policies of {dataset['id']} no longer allow {grantee.subject} "
                f"{', '.join(denied)}",
                field="grant_id",
            )
        ctx.put(key, {**grant, "status": "active", "restored_at": ctx.timestamp.isoformat(),
                      "restore_policies": reasons})  # fmt: skip
        return {"grant_id": grant["id"], "status": "active", "reasons": reasons}

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
