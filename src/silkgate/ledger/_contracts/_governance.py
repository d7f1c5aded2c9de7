"""The ``governance`` contract: configuration changes approved by a majority of organisations.

A new configuration must carry approvals (signatures over its canonical JSON) by admins of
more than half of the current member organisations, and its version must be the next one.
A revocation list is accepted from anyone when its issuer's CA signed it and its CRL number
is higher than the one on the ledger. Changes apply from the next block.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from silkgate.ledger._codec import canonical
from silkgate.ledger._config import ConsortiumConfig
from silkgate.ledger._contracts._base import Contract, TxContext, function, require
from silkgate.ledger._errors import ContractRefused, UnknownIdentity
from silkgate.ledger._identity import Identity
from silkgate.ledger._types import JsonValue

CONFIG_KEY = "config/consortium"
CRL_PREFIX = "config/crl/"


def approve_config(admin: Identity, config: ConsortiumConfig) -> list[str]:
    """An admin's approval of ``config``: ``[certificate PEM, signature hex]``."""
    return [admin.cert_pem, admin.sign(canonical(config.model_dump(mode="json"))).hex()]


class GovernanceContract(Contract):
    name = "governance"

    @function
    def update_config(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        try:
            proposed = ConsortiumConfig.model_validate(require(args, "config", dict))
        except ValidationError as exc:
            raise ContractRefused(
                f"not a consortium configuration: {exc}", field="config"
            ) from None
        if proposed.version != ctx.config.version + 1:
            raise ContractRefused(
                f"version must be {ctx.config.version + 1}, got {proposed.version}", field="config"
            )
        message = canonical(proposed.model_dump(mode="json"))
        approving: set[str] = set()
        for item in require(args, "approvals", list):
            if not (isinstance(item, list) and len(item) == 2):
                raise ContractRefused(
                    "each approval is [certificate, signature]", field="approvals"
                )
            member = ctx.msp.identify(str(item[0]), ctx.timestamp)
            if isinstance(member, str):
                raise ContractRefused(f"approval certificate refused: {member}", field="approvals")
            if member.role != "admin":
                raise ContractRefused(f"{member.subject} is not an admin", field="approvals")
            try:
                signature = bytes.fromhex(str(item[1]))
            except ValueError:
                signature = b""
            if not member.verify(message, signature):
                raise ContractRefused(f"approval of {member.subject} does not verify",
                                      field="approvals")  # fmt: skip
            approving.add(member.org)
        members = len(ctx.config.orgs)
        if len(approving) * 2 <= members:
            raise ContractRefused(
                f"{len(approving)} of {members} organisations approved; a majority is needed",
                field="approvals",
            )
        ctx.put(CONFIG_KEY, proposed.model_dump(mode="json"))
        return {"version": proposed.version, "approved_by": sorted(approving)}

    @function
    def update_crl(self, ctx: TxContext, args: dict[str, Any]) -> JsonValue:
        org = require(args, "org")
        crl = require(args, "crl")
        try:
            number = ctx.msp.check_crl(org, crl)
        except UnknownIdentity as exc:
            raise ContractRefused(exc.message, field="crl") from None
        current = ctx.get(CRL_PREFIX + org)
        if current is not None and number <= int(current["number"]):
            raise ContractRefused(
                f"CRL number {number} is not newer than {current['number']}", field="crl"
            )
        ctx.put(CRL_PREFIX + org, {"org": org, "crl": crl, "number": number})
        return {"org": org, "number": number}
