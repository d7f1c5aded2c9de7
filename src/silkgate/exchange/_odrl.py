"""ODRL 2.2 renderings of offers and agreements (JSON-LD)."""

from __future__ import annotations

from typing import Any

from silkgate.exchange._models import Offer, UsagePolicy

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"


def _rules(policy: UsagePolicy, target: str) -> dict[str, Any]:
    constraints: list[dict[str, Any]] = [
        {"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": sorted(policy.purposes)},
        {"leftOperand": "elapsedTime", "operator": "lteq",
         "rightOperand": f"P{policy.duration_days}D"},
    ]  # fmt: skip
    actions = (["use"] if policy.download else []) + [
        f"compute:{kind}" for kind in sorted(policy.compute_kinds)
    ]
    permissions = [
        {"target": target, "action": action, "constraint": constraints} for action in actions
    ]
    if policy.dp_epsilon is not None:
        for permission in permissions:
            if permission["action"] == "compute:dp_query":
                permission["constraint"] = [
                    *constraints,
                    {"leftOperand": "silkgate:epsilon", "operator": "lteq",
                     "rightOperand": policy.dp_epsilon},
                ]  # fmt: skip
    price = policy.price
    duty = {
        "action": "compensate",
        "constraint": [
            {"leftOperand": "payAmount", "operator": "eq", "rightOperand": str(amount),
             "unit": price.currency, "silkgate:per": per}
            for per, amount in (("download", price.per_download), ("task", price.per_task),
                                ("cpu_second", price.per_cpu_second))
        ],
    }  # fmt: skip
    rules: dict[str, Any] = {"permission": permissions, "obligation": [duty]}
    prohibited = [] if policy.onward_transfer else [{"target": target, "action": "distribute"}]
    if not policy.download:
        prohibited.append({"target": target, "action": "reproduce"})
    if prohibited:
        rules["prohibition"] = prohibited
    return rules


def odrl_offer(offer: Offer) -> dict[str, Any]:
    """An ``odrl:Offer`` from the dataset's owner."""
    target = f"urn:silkgate:dataset:{offer.dataset_id}"
    return {
        "@context": ODRL_CONTEXT,
        "@type": "Offer",
        "uid": f"urn:silkgate:offer:{offer.id}",
        "assigner": f"urn:silkgate:party:{offer.owner}",
        **_rules(offer.policy, target),
    }


def odrl_agreement(offer: Offer, order_id: str, consumer: str) -> dict[str, Any]:
    """The ``odrl:Agreement`` an order reaches: the offer's rules, now with an assignee."""
    target = f"urn:silkgate:dataset:{offer.dataset_id}"
    return {
        "@context": ODRL_CONTEXT,
        "@type": "Agreement",
        "uid": f"urn:silkgate:agreement:{order_id}",
        "assigner": f"urn:silkgate:party:{offer.owner}",
        "assignee": f"urn:silkgate:party:{consumer}",
        **_rules(offer.policy, target),
    }
