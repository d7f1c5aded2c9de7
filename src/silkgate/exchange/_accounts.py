"""API tokens and the roles they carry.

A token is 32 random bytes shown once at creation as ``sg_<id>_<secret>``; only the
SHA-256 of the whole token is stored, so a copy of the database does not let anyone
call the API. Guarantee: a token authenticates only while it exists and is not revoked.

The dashboard signs a viewer in by opening a session for their token: a fresh random
secret (the browser's cookie holds it, never the token), stored as its SHA-256 with the
token's id and an expiry. A session authenticates only while it is open and unexpired and
its token is not revoked; signing out or revoking the token closes it on the server, so a
copied cookie stops working then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from silkgate.domain import AccessDenied, InvalidInput, Unauthenticated
from silkgate.store import Database, TokenRecord, TokenStore

Role = Literal["admin", "data_owner", "data_consumer", "auditor", "regulator"]
ROLES: tuple[Role, ...] = get_args(Role)
_PREFIX = "sg_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, its party and its roles."""

    token_id: str
    label: str
    party_id: str | None
    roles: frozenset[Role]

    def has_any(self, roles: Iterable[Role]) -> bool:
        return "admin" in self.roles or bool(self.roles & set(roles))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    secret: str
    record: TokenRecord


@dataclass(frozen=True, slots=True)
class DashboardSession:
    """A signed-in dashboard viewer: ``secret`` goes into the cookie, shown only here."""

    secret: str
    principal: Principal
    expires_at: dt.datetime


SESSION_LIFETIME = dt.timedelta(hours=8)
_SESSION_PREFIX = "sgs_"


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    roles: set[Role] = set()
    for name in names:
        if name not in ROLES:
            raise InvalidInput(f"unknown role {name!r}; one of {', '.join(ROLES)}", field="role")
        roles.add(name)
    if not roles:
        raise InvalidInput(f"at least one role is needed: {', '.join(ROLES)}", field="role")
    return frozenset(roles)


class Accounts:
    """Issues, checks and revokes API tokens."""

    def __init__(self, database: Database) -> None:
        self._tokens = TokenStore(database)

    def issue(
        self, *, label: str, roles: Iterable[str], party_id: str | None = None
    ) -> IssuedToken:
        checked = parse_roles(roles)
        token_id = secrets.token_hex(6)
        secret = f"{_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        record = self._tokens.add(
            token_id=token_id,
            label=label,
            token_hash=_digest(secret),
            party_id=party_id,
            roles=frozenset(checked),
            created_at=dt.datetime.now(dt.UTC),
        )
        return IssuedToken(secret=secret, record=record)

    def authenticate(self, secret: str | None) -> Principal:
        if not secret:
            raise Unauthenticated("an API token is required (Authorization: Bearer ...)")
        record = self._tokens.find_by_hash(_digest(secret))
        if record is None or not hmac.compare_digest(record.id, _token_id(secret)):
            raise Unauthenticated("unknown API token")
        if not record.is_active:
            raise Unauthenticated(f"API token {record.id} was revoked")
        return _principal(record)

    def open_session(
        self, token_secret: str | None, *, lifetime: dt.timedelta = SESSION_LIFETIME
    ) -> DashboardSession:
        """Authenticate an API token and open a dashboard session for it."""
        if lifetime <= dt.timedelta(0):
            raise InvalidInput("a session lifetime must be positive", field="lifetime")
        principal = self.authenticate(token_secret)
        secret = _SESSION_PREFIX + secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        self._tokens.open_session(
            session_hash=_digest(secret),
            token_id=principal.token_id,
            created_at=now,
            expires_at=now + lifetime,
        )
        return DashboardSession(secret=secret, principal=principal, expires_at=now + lifetime)

    def session_principal(self, session_secret: str | None) -> Principal:
        """Who an open dashboard session belongs to; Unauthenticated when it is not open."""
        if not session_secret:
            raise Unauthenticated("not signed in")
        record = self._tokens.session_token(_digest(session_secret), now=dt.datetime.now(dt.UTC))
        if record is None:
            raise Unauthenticated("the session is unknown, expired or signed out")
        if not record.is_active:
            raise Unauthenticated(f"API token {record.id} was revoked")
        return _principal(record)

    def close_session(self, session_secret: str | None) -> bool:
        """Sign a session out; False when it was not open."""
        return bool(session_secret) and self._tokens.close_session(_digest(session_secret or ""))

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke a token; its dashboard sessions close with it."""
        return self._tokens.revoke(token_id, at=dt.datetime.now(dt.UTC))

    def tokens(self) -> list[TokenRecord]:
        return self._tokens.list()


def require_role(principal: Principal, *roles: Role) -> None:
    """Raise AccessDenied unless the principal holds one of ``roles`` (admin holds all)."""
    if not principal.has_any(roles):
        raise AccessDenied(f"needs role {' or '.join(roles)}; token {principal.token_id} has none")


def _principal(record: TokenRecord) -> Principal:
    return Principal(
        token_id=record.id,
        label=record.label,
        party_id=record.party_id,
        roles=frozenset(r for r in record.roles if r in ROLES),
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _token_id(secret: str) -> str:
    parts = secret.split("_")
    return parts[1] if len(parts) >= 3 and secret.startswith(_PREFIX) else ""
