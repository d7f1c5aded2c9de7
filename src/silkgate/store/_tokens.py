"""API tokens and dashboard sessions as stored: only a SHA-256 of each secret is kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from silkgate.domain import Conflict, NotFound
from silkgate.store._database import Database
from silkgate.store._tables import ApiTokenRow, DashboardSessionRow, PartyRow


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    label: str
    party_id: str | None
    roles: frozenset[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TokenStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
        self,
        *,
        token_id: str,
        label: str,
        token_hash: str,
        party_id: str | None,
        roles: frozenset[str],
        created_at: dt.datetime,
    ) -> TokenRecord:
        with self._db.transaction() as session:
            if party_id is not None and session.get(PartyRow, party_id) is None:
                raise NotFound(f"no party {party_id!r}", field="party")
            if session.get(ApiTokenRow, token_id) is not None:
                raise Conflict(f"token id {token_id!r} exists", field="id")
            row = ApiTokenRow(
                id=token_id,
                label=label,
                token_hash=token_hash,
                party_id=party_id,
                roles=sorted(roles),
                created_at=created_at,
            )
            session.add(row)
            return _record(row)

    def find_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self._db.transaction() as session:
            row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
            return None if row is None else _record(row)

    def list(self) -> list[TokenRecord]:
        with self._db.transaction() as session:
            rows = session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.created_at)).all()
            return [_record(r) for r in rows]

    def revoke(self, token_id: str, *, at: dt.datetime) -> TokenRecord:
        with self._db.transaction() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFound(f"no token {token_id!r}", field="token")
            if row.revoked_at is None:
                row.revoked_at = at
            session.execute(
                delete(DashboardSessionRow).where(DashboardSessionRow.token_id == token_id)
            )
            return _record(row)

    def open_session(
        self, *, session_hash: str, token_id: str, created_at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Store a dashboard session of ``token_id``; sessions already expired are dropped."""
        with self._db.transaction() as session:
            if session.get(ApiTokenRow, token_id) is None:
                raise NotFound(f"no token {token_id!r}", field="token")
            session.execute(
                delete(DashboardSessionRow).where(DashboardSessionRow.expires_at <= created_at)
            )
            session.add(
                DashboardSessionRow(
                    session_hash=session_hash,
                    token_id=token_id,
                    created_at=created_at,
                    expires_at=expires_at,
                )
            )

    def session_token(self, session_hash: str, *, now: dt.datetime) -> TokenRecord | None:
        """The token behind a live session, or None (unknown or expired session)."""
        with self._db.transaction() as session:
            found = session.get(DashboardSessionRow, session_hash)
            if found is None:
                return None
            if _utc(found.expires_at) <= now:
                session.delete(found)
                return None
            token = session.get(ApiTokenRow, found.token_id)
            return None if token is None else _record(token)

    def close_session(self, session_hash: str) -> bool:
        """End a session; False when there was none."""
        with self._db.transaction() as session:
            found = session.get(DashboardSessionRow, session_hash)
            if found is None:
                return False
            session.delete(found)
            return True


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything silkgate stores is UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _record(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        label=row.label,
        party_id=row.party_id,
        roles=frozenset(row.roles),
        created_at=_utc(row.created_at),
        revoked_at=None if row.revoked_at is None else _utc(row.revoked_at),
    )
