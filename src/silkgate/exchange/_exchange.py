"""``Exchange``: the platform's services over one database and one ledger link."""

from __future__ import annotations

from silkgate.exchange._audit import AuditTrail
from silkgate.exchange._billing import Billing
from silkgate.exchange._catalog import Catalog
from silkgate.exchange._ledgerlink import LedgerLink
from silkgate.exchange._orders import OrderBook
from silkgate.exchange._trust import TrustScores
from silkgate.store import Database, Registry


class Exchange:
    def __init__(self, database: Database, registry: Registry, ledger: LedgerLink) -> None:
        self.ledger = ledger
        self.catalog = Catalog(database, registry, ledger)
        self.orders = OrderBook(database, registry, ledger)
        self.billing = Billing(database, ledger)
        self.audit = AuditTrail(database, ledger)
        self.trust = TrustScores(database, registry, ledger)
