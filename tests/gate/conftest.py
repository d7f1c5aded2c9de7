from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from silkgate.demo import SPECS, init_consortium, write_sample
from silkgate.exchange import OfferRequest, Price, UsagePolicy
from silkgate.gate import Platform

PERMIT_RESEARCH_CBPR = """permit(principal, action, resource) when {
    context.purpose == "research" && principal.certifications.contains("GLOBAL_CBPR")
};"""
PERMIT_ALL = "permit(principal, action, resource);"
FORBID_VN = 'forbid(principal, action, resource) when { principal.country == "VN" };'


@pytest.fixture
def published(platform: Platform) -> Iterator[Platform]:
    """The demo consortium with the four sample datasets published and one offer each."""
    parties = {p.id: p for p in init_consortium(platform)}
    for number, spec in enumerate(SPECS):
        sample = write_sample(
            spec,
            parties[spec.party_id],
            platform.settings.home / "data" / spec.party_id,
            60,
            7 + number,
        )
        policies = (
            {"research-cbpr": PERMIT_RESEARCH_CBPR}
            if spec.party_id == "cn-gxic"
            else {"members": PERMIT_ALL, "no-vn": FORBID_VN}
        )
        platform.publish(
            sample.dataset,
            sample.path,
            policies=policies,
            important_data=spec.party_id == "cn-gxic",
        )
        platform.exchange.orders.add_offer(
            spec.party_id,
            OfferRequest(
                id=f"{spec.dataset_id}-std",
                dataset_id=spec.dataset_id,
                policy=UsagePolicy(
                    purposes=frozenset({"research", "business", "logistics", "payment"}),
                    compute_kinds=frozenset({"psi", "dp_query"}),
                    dp_epsilon=2.0,
                    price=Price(
                        per_download=Decimal("120.00"),
                        per_task=Decimal("15.50"),
                        per_cpu_second=Decimal("0.02"),
                    ),
                ),
            ),
        )
    return platform
