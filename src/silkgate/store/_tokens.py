"""API tokens as stored: only a SHA-256 of each secret is kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from silkgate.domain import Conflict, NotFound
from silkgate.store._database import Database
from silkgate.store._tables import ApiTokenRow, PartyRow


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
            return _record(row)


def _record(row: ApiTokenRow) -> TokenRecord:
    created = row.created_at
    revoked = row.revoked_at
    # SQLite returns naive datetimes; everything silkgate stores is UTC.
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if revoked is not None and revoked.tzinfo is None:
        revoked = revoked.replace(tzinfo=dt.UTC)
    return TokenRecord(
        id=row.id,
        label=row.label,
        party_id=row.party_id,
        roles=frozenset(row.roles),
        created_at=created,
        revoked_at=revoked,
    )
