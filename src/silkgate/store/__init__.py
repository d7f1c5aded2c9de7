"""The control-plane database: parties, datasets, tokens, exchange and gate records.

SQLAlchemy 2 tables with one Alembic history; ``Database.migrate()`` brings any database
to the newest revision.
"""

from silkgate.store._database import Database
from silkgate.store._errors import StoreError
from silkgate.store._exchange_tables import (
    CatalogRow,
    ClassificationRow,
    DecisionRow,
    InvoiceRow,
    ObligationRow,
    OfferRow,
    OrderRow,
    TrustRow,
    TrustSignalRow,
    UsageRow,
)
from silkgate.store._registry import Registry
from silkgate.store._tables import DatasetRow, PartyRow
from silkgate.store._tokens import TokenRecord, TokenStore

__all__ = [
    "CatalogRow",
    "ClassificationRow",
    "Database",
    "DatasetRow",
    "DecisionRow",
    "InvoiceRow",
    "ObligationRow",
    "OfferRow",
    "OrderRow",
    "PartyRow",
    "Registry",
    "StoreError",
    "TokenRecord",
    "TokenStore",
    "TrustRow",
    "TrustSignalRow",
    "UsageRow",
]
