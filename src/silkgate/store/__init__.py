"""The control-plane database: parties, datasets, API tokens (SQLAlchemy 2 + Alembic)."""

from silkgate.store._database import Database
from silkgate.store._errors import StoreError
from silkgate.store._registry import Registry
from silkgate.store._tokens import TokenRecord, TokenStore

__all__ = ["Database", "Registry", "StoreError", "TokenRecord", "TokenStore"]
