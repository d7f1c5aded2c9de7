"""Alembic environment: runs on the connection silkgate's Database hands in."""

from __future__ import annotations

from alembic import context

from silkgate.store import _exchange_tables  # noqa: F401  (registers its tables)
from silkgate.store._tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
