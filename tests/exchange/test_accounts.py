from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from silkgate.domain import AccessDenied, InvalidInput, NotFound, Party, Unauthenticated
from silkgate.exchange import Accounts, require_role
from silkgate.store import Database, Registry


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    with Database(database_url) as db:
        db.migrate()
        Registry(db).add_parties([Party(id="sg-b", name="B", jurisdiction="SG")])
        yield db


def test_issued_token_authenticates_with_its_roles_and_party(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="analyst", roles=["data_consumer"], party_id="sg-b")
    principal = accounts.authenticate(issued.secret)
    assert principal.roles == {"data_consumer"}
    assert principal.party_id == "sg-b"


def test_only_a_hash_of_the_secret_is_stored(database: Database) -> None:
    issued = Accounts(database).issue(label="x", roles=["auditor"])
    with database.engine.connect() as connection:
        dumped = " ".join(str(row) for row in connection.execute(text("SELECT * FROM api_tokens")))
    assert issued.secret not in dumped
    assert issued.secret.split("_", 2)[2] not in dumped


@pytest.mark.parametrize(
    "secret",
    [pytest.param(None, id="missing"), pytest.param("", id="empty"),
     pytest.param("sg_abc_def", id="unknown")],
)  # fmt: skip
def test_bad_secret_is_unauthenticated(database: Database, secret: str | None) -> None:
    with pytest.raises(Unauthenticated):
        Accounts(database).authenticate(secret)


def test_revoked_token_no_longer_authenticates(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="x", roles=["admin"])
    accounts.revoke(issued.record.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        accounts.authenticate(issued.secret)


def test_unknown_role_and_unknown_party_are_refused(database: Database) -> None:
    accounts = Accounts(database)
    with pytest.raises(InvalidInput, match="unknown role 'root'"):
        accounts.issue(label="x", roles=["root"])
    with pytest.raises(NotFound, match="no party 'zz'"):
        accounts.issue(label="x", roles=["auditor"], party_id="zz")
    assert accounts.tokens() == []


def test_admin_holds_every_role_and_others_only_theirs(database: Database) -> None:
    accounts = Accounts(database)
    admin = accounts.authenticate(accounts.issue(label="a", roles=["admin"]).secret)
    auditor = accounts.authenticate(accounts.issue(label="b", roles=["auditor"]).secret)
    require_role(admin, "regulator")
    require_role(auditor, "auditor", "regulator")
    with pytest.raises(AccessDenied, match="needs role data_owner"):
        require_role(auditor, "data_owner")
