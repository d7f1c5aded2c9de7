"""A data directory with the platform in use, prepared through the public Python API.

Three of the four demo datasets are published with an offer each and asked for (compute-only,
conditional, denied); a DP query runs under the compute-only order and is invoiced; repeated
alerts suspend one party. The SG retailer's claims file is left unpublished, for a test to
publish it through the REST API. Transfer traffic is scored by the monitor (tests/web/
_traffic.py). Tokens for an owner, a consumer, an auditor and an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from silkgate.compute import TaskSpec
from silkgate.config import load_settings
from silkgate.demo import SPECS, init_consortium, write_sample
from silkgate.exchange import OfferRequest, Price, UsagePolicy, period_of
from silkgate.gate import AccessRequest, Platform
from tests.web._traffic import write_traffic

PERMIT_RESEARCH_CBPR = """permit(principal, action, resource) when {
    context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR")
};"""
PERMIT_ALL = "permit(principal, action, resource);"
FORBID_VN = 'forbid(principal, action, resource) when { principal.country == "VN" };'
UNPUBLISHED = "sg-lionhealth-claims"


@dataclass(frozen=True, slots=True)
class PreparedHome:
    home: Path
    tokens: dict[str, str]
    """role → secret: owner (sg-lionhealth), consumer (cn-gxic), auditor, admin."""
    claims_file: str
    """The unpublished SG dataset's file, relative to HOME/data/sg-lionhealth."""


def offer_policy() -> UsagePolicy:
    return UsagePolicy(
        purposes=frozenset({"research", "business", "logistics", "payment"}),
        compute_kinds=frozenset({"psi", "dp_query"}),
        dp_epsilon=2.0,
        price=Price(per_download=Decimal("120.00"), per_task=Decimal("15.50"),
                    per_cpu_second=Decimal("0.02")),
    )  # fmt: skip


def prepare_home(home: Path, rows: int = 60) -> PreparedHome:
    with Platform(load_settings(home)) as platform:
        parties = {p.id: p for p in init_consortium(platform)}
        claims_file = ""
        for number, spec in enumerate(SPECS):
            directory = home / "data" / spec.party_id
            sample = write_sample(spec, parties[spec.party_id], directory, rows, 7 + number)
            if spec.dataset_id == UNPUBLISHED:
                claims_file = sample.path.name
                continue
            policies = (
                {"research-cbpr": PERMIT_RESEARCH_CBPR}
                if spec.party_id == "cn-gxic"
                else {"members": PERMIT_ALL, "no-vn": FORBID_VN}
            )
            platform.publish(sample.dataset, sample.path, policies=policies,
                             important_data=spec.party_id == "cn-gxic")  # fmt: skip
            platform.exchange.orders.add_offer(spec.party_id, OfferRequest(
                id=f"{spec.dataset_id}-std", dataset_id=spec.dataset_id,
                policy=offer_policy()))  # fmt: skip
        _use(platform)
        write_traffic(home)
        tokens = {
            "owner": platform.accounts.issue(label="SG owner", roles=["data_owner"],
                                             party_id="sg-lionhealth").secret,
            "consumer": platform.accounts.issue(label="CN consumer", roles=["data_consumer"],
                                                party_id="cn-gxic").secret,
            "auditor": platform.accounts.issue(label="auditor", roles=["auditor"]).secret,
            "admin": platform.accounts.issue(label="admin", roles=["admin"]).secret,
        }  # fmt: skip
    return PreparedHome(home=home, tokens=tokens, claims_file=claims_file)


def _ask(platform: Platform, dataset: str, requester: str, purpose: str) -> str | None:
    request = AccessRequest.model_validate(
        {
            "dataset_id": dataset,
            "requester": requester,
            "purpose": purpose,
            "offer_id": f"{dataset}-std",
        }
    )
    return platform.gate.decide(request).order_id


def _use(platform: Platform) -> None:
    order_id = _ask(platform, "cn-gxic-outpatients", "sg-lionhealth", "research")
    task = TaskSpec.model_validate({
        "id": "dp-mean-cost", "kind": "dp_query",
        "inputs": [{"party": "cn-gxic", "dataset": "cn-gxic-outpatients",
                    "columns": ["费用_元"]}],
        "receivers": ["sg-lionhealth"], "privacy": {"epsilon": 1.0},
        "params": {"statistic": "mean", "bounds": [0, 5000]},
        "limits": {"time_s": 60}})  # fmt: skip
    [outcome] = platform.compute(order_id or "", [task], actor="sg-lionhealth")
    assert outcome.state == "succeeded", outcome.error
    _ask(platform, "vn-mekonglog-shipments", "cn-gxic", "logistics")
    _ask(platform, "th-siampay-card-payments", "vn-mekonglog", "payment")
    usage = platform.exchange.billing.usage(party="sg-lionhealth")
    platform.exchange.billing.invoice("sg-lionhealth", period_of(usage[0].at))
    for _ in range(4):
        platform.exchange.trust.signal("vn-mekonglog", "alert", {"why": "bulk export"})
