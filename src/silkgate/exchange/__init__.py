"""The data-circulation platform: catalog, offers and orders, billing, audit, accounts, trust.

``Exchange(database, registry, ledger)`` bundles the services over one control-plane
database and one ``LedgerLink`` to the consortium ledger.
"""

from silkgate.exchange._accounts import (
    ROLES,
    Accounts,
    DashboardSession,
    IssuedToken,
    Principal,
    Role,
    parse_roles,
    require_role,
)
from silkgate.exchange._audit import AuditTrail, to_csv, to_json
from silkgate.exchange._billing import Billing, period_of
from silkgate.exchange._catalog import Catalog
from silkgate.exchange._exchange import Exchange
from silkgate.exchange._ledgerlink import AccessAnswer, ExchangeEvent, LedgerLink, document_hash
from silkgate.exchange._models import (
    ORDER_STATES,
    AuditEntry,
    CatalogEntry,
    Invoice,
    InvoiceLine,
    Offer,
    OfferRequest,
    Order,
    OrderState,
    Price,
    TrustScore,
    UsagePolicy,
    UsageRecord,
)
from silkgate.exchange._odrl import odrl_agreement, odrl_offer
from silkgate.exchange._orders import TASK_SCOPES, OrderBook, offer_scopes
from silkgate.exchange._trust import RESTORE_AT, SUSPEND_BELOW, WEIGHTS, TrustScores

__all__ = [
    "ORDER_STATES",
    "RESTORE_AT",
    "ROLES",
    "SUSPEND_BELOW",
    "TASK_SCOPES",
    "WEIGHTS",
    "AccessAnswer",
    "Accounts",
    "AuditEntry",
    "AuditTrail",
    "Billing",
    "Catalog",
    "CatalogEntry",
    "DashboardSession",
    "Exchange",
    "ExchangeEvent",
    "Invoice",
    "InvoiceLine",
    "IssuedToken",
    "LedgerLink",
    "Offer",
    "OfferRequest",
    "Order",
    "OrderBook",
    "OrderState",
    "Price",
    "Principal",
    "Role",
    "TrustScore",
    "TrustScores",
    "UsagePolicy",
    "UsageRecord",
    "document_hash",
    "odrl_agreement",
    "odrl_offer",
    "offer_scopes",
    "parse_roles",
    "period_of",
    "require_role",
    "to_csv",
    "to_json",
]
