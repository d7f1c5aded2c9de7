"""The access contract: Cedar per scope, grants of allowed scopes only, suspension, restoration.

Every transaction is signed by the acting member's certificate and endorsed by the peers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from silkgate.ledger import Consortium, ContractRefused

DATASET = "cn-visits"


def _request(consortium: Consortium, org: str, scopes: list[str]) -> dict[str, Any]:
    receipt = consortium.client(org).invoke(
        "access",
        "request",
        {"dataset_id": DATASET, "scopes": scopes, "purpose": "research", "destination": "SG"},
    )
    assert isinstance(receipt.response, dict)
    return receipt.response


def _grant(consortium: Consortium, request_id: str, scopes: list[str] | None = None) -> None:
    args: dict[str, Any] = {
        "dataset_id": DATASET,
        "request_id": request_id,
        "expires_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat(),
    }
    if scopes is not None:
        args["scopes"] = scopes
    consortium.client("cn-gxic").invoke("access", "grant", args)


def _status(consortium: Consortium, grant_id: str) -> str:
    grant = consortium.peer("vn-mekonglog").get(f"grant/{DATASET}/{grant_id}")
    return str(grant["status"])


def _use(consortium: Consortium, grant_id: str, kind: str = "download") -> None:
    consortium.client("sg-lionhealth").invoke(
        "access", "use", {"dataset_id": DATASET, "grant_id": grant_id, "kind": kind}
    )


def test_cedar_answers_each_scope_and_only_allowed_scopes_are_granted(
    registered: Consortium,
) -> None:
    answer = _request(registered, "sg-lionhealth", ["download", "compute:psi", "view"])

    assert answer["decision"] == "allow"
    assert answer["allowed_scopes"] == ["download", "view"]
    with pytest.raises(ContractRefused, match="Cedar did not allow compute:psi"):
        _grant(registered, answer["request_id"], ["download", "compute:psi"])
    _grant(registered, answer["request_id"])
    grant = registered.peer().get(f"grant/{DATASET}/{answer['request_id']}")
    assert grant["scopes"] == ["download", "view"]


def test_a_request_for_no_allowed_scope_is_denied_and_cannot_be_granted(
    registered: Consortium,
) -> None:
    answer = _request(registered, "sg-lionhealth", ["compute:psi", "compute:dp"])

    assert answer["decision"] == "deny"
    assert answer["allowed_scopes"] == []
    with pytest.raises(ContractRefused, match="denied by the dataset's policies"):
        _grant(registered, answer["request_id"])


def test_a_suspended_grant_cannot_be_used_until_restored(registered: Consortium) -> None:
    grant_id = _request(registered, "sg-lionhealth", ["download"])["request_id"]
    _grant(registered, grant_id)
    owner = registered.client("cn-gxic")

    owner.invoke(
        "access",
        "suspend",
        {"dataset_id": DATASET, "grant_id": grant_id, "reason": "trust 62 < 70"},
    )

    assert _status(registered, grant_id) == "suspended"
    assert not registered.peer().is_granted(grant_id, DATASET, "", "download")
    with pytest.raises(ContractRefused, match="does not allow download now"):
        _use(registered, grant_id)
    with pytest.raises(ContractRefused, match="is suspended, not active"):
        owner.invoke(
            "access", "suspend", {"dataset_id": DATASET, "grant_id": grant_id, "reason": "again"}
        )

    restored = owner.invoke("access", "restore", {"dataset_id": DATASET, "grant_id": grant_id})

    assert restored.response == {"grant_id": grant_id, "status": "active", "reasons": ["p1"]}
    assert _status(registered, grant_id) == "active"
    _use(registered, grant_id)


def test_restoration_is_refused_when_the_owners_policy_no_longer_allows_the_grantee(
    registered: Consortium,
) -> None:
    grant_id = _request(registered, "sg-lionhealth", ["download"])["request_id"]
    _grant(registered, grant_id)
    owner = registered.client("cn-gxic")
    owner.invoke(
        "access", "suspend", {"dataset_id": DATASET, "grant_id": grant_id, "reason": "alerts"}
    )
    owner.invoke(
        "access",
        "set_policy",
        {
            "dataset_id": DATASET,
            "policy_id": "p2",
            "cedar": 'forbid(principal, action, resource) when { principal.country == "SG" };',
        },
    )

    with pytest.raises(ContractRefused, match="no longer allow sg-lionhealth/client download"):
        owner.invoke("access", "restore", {"dataset_id": DATASET, "grant_id": grant_id})

    assert _status(registered, grant_id) == "suspended"
    owner.invoke("access", "remove_policy", {"dataset_id": DATASET, "policy_id": "p2"})
    owner.invoke("access", "restore", {"dataset_id": DATASET, "grant_id": grant_id})
    assert _status(registered, grant_id) == "active"


def test_only_the_owner_suspends_and_only_a_suspended_grant_is_restored(
    registered: Consortium,
) -> None:
    grant_id = _request(registered, "sg-lionhealth", ["download"])["request_id"]
    _grant(registered, grant_id)

    with pytest.raises(ContractRefused, match="only clients and admins of cn-gxic"):
        registered.client("sg-lionhealth").invoke(
            "access", "suspend", {"dataset_id": DATASET, "grant_id": grant_id, "reason": "x"}
        )
    with pytest.raises(ContractRefused, match="is active, not suspended"):
        registered.client("cn-gxic").invoke(
            "access", "restore", {"dataset_id": DATASET, "grant_id": grant_id}
        )
    registered.client("cn-gxic").invoke(
        "access", "revoke", {"dataset_id": DATASET, "grant_id": grant_id}
    )
    with pytest.raises(ContractRefused, match="is revoked, not active"):
        registered.client("cn-gxic").invoke(
            "access", "suspend", {"dataset_id": DATASET, "grant_id": grant_id, "reason": "x"}
        )
