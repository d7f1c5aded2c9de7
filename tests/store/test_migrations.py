from __future__ import annotations

import pytest
from sqlalchemy import inspect

from silkgate.domain import InvalidInput
from silkgate.store import Database, StoreError


def test_migrate_brings_an_empty_database_to_head(database_url: str) -> None:
    with Database(database_url) as database:
        assert database.revision() is None
        database.migrate()
        assert database.revision() == Database.head_revision()
        tables = set(inspect(database.engine).get_table_names())
    assert {"parties", "datasets", "api_tokens", "alembic_version"} <= tables


def test_migrate_twice_is_harmless(database_url: str) -> None:
    with Database(database_url) as database:
        database.migrate()
        database.migrate()
        assert database.revision() == Database.head_revision()


def test_not_a_url_is_bad_input() -> None:
    with pytest.raises(InvalidInput, match="database_url"):
        Database("not a url at all")


def test_unreachable_server_hides_the_password() -> None:
    database = Database("postgresql+psycopg://silk:s3cret-pw@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError) as caught:
        database.migrate()
    assert "s3cret-pw" not in str(caught.value)
    assert "***" in str(caught.value)
