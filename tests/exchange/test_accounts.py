from __future__ import annotations

import datetime as dt
import time
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


def test_a_dashboard_session_stands_for_its_token_without_holding_it(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="viewer", roles=["data_owner"], party_id="sg-b")

    session = accounts.open_session(issued.secret)

    assert issued.secret not in session.secret
    assert accounts.session_principal(session.secret) == accounts.authenticate(issued.secret)
    with database.engine.connect() as connection:
        stored = " ".join(
            str(row) for row in connection.execute(text("SELECT * FROM dashboard_sessions"))
        )
    assert session.secret not in stored


def test_a_signed_out_session_is_refused_and_others_stay_open(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="viewer", roles=["auditor"])
    first, second = accounts.open_session(issued.secret), accounts.open_session(issued.secret)

    assert accounts.close_session(first.secret)

    with pytest.raises(Unauthenticated, match="signed out"):
        accounts.session_principal(first.secret)
    assert accounts.session_principal(second.secret).token_id == issued.record.id
    assert not accounts.close_session(first.secret)


def test_revoking_the_token_closes_its_sessions(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="viewer", roles=["auditor"])
    session = accounts.open_session(issued.secret)

    accounts.revoke(issued.record.id)

    with pytest.raises(Unauthenticated):
        accounts.session_principal(session.secret)


def test_an_expired_session_is_refused(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="viewer", roles=["auditor"])
    session = accounts.open_session(issued.secret, lifetime=dt.timedelta(milliseconds=1))
    time.sleep(0.05)

    with pytest.raises(Unauthenticated, match="expired"):
        accounts.session_principal(session.secret)


@pytest.mark.parametrize("secret", [None, "", "sgs_unknown", "sg_abc_def"])
def test_no_session_for_a_bad_token_or_cookie(database: Database, secret: str | None) -> None:
    accounts = Accounts(database)
    with pytest.raises(Unauthenticated):
        accounts.open_session(secret)
    with pytest.raises(Unauthenticated):
        accounts.session_principal(secret)


def test_a_session_lifetime_must_be_positive(database: Database) -> None:
    accounts = Accounts(database)
    issued = accounts.issue(label="viewer", roles=["auditor"])
    with pytest.raises(InvalidInput, match="lifetime"):
        accounts.open_session(issued.secret, lifetime=dt.timedelta(0))
