"""The areas of the dashboard, in the order of its navigation bar."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Area:
    slug: str
    title: str
    summary: str
    public: bool = False
    """Whether the area's page is readable without signing in."""

    @property
    def href(self) -> str:
        return "/" if self.slug == "overview" else f"/{self.slug}"


AREAS: tuple[Area, ...] = (
    Area("overview", "Overview", "The consortium, its members and their data at a glance.", True),
    Area("catalog", "Catalog", "Datasets published by their owners: grade, categories, offers.",
         True),
    Area("orders", "Orders",
         "Negotiations under offers: requested → offered → agreed → finalized."),
    Area("decisions", "Decisions", "The gate's verdicts, why-traces with citations, obligations."),
    Area("ledger", "Ledger", "Blocks and transactions of the consortium chain, inclusion proofs."),
    Area("compute", "Compute", "Privacy-computing tasks at the owners' nodes; only results leave."),
    Area("billing", "Billing",
         "Metered usage of downloads and tasks, invoices anchored on the ledger."),
    Area("audit", "Audit", "The trail of a dataset or a party, from the ledger and the exchange."),
    Area("trust", "Trust", "Trust scores per party with their factors; low scores suspend grants."),
    Area("monitor", "Monitor",
         "Alerts with their explanations and citations; traffic per destination, forecast."),
)  # fmt: skip
_BY_SLUG = {a.slug: a for a in AREAS}


def area(slug: str) -> Area:
    return _BY_SLUG[slug]
