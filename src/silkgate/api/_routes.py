"""REST resources: health, version, identity, parties, datasets, tokens."""

from __future__ import annotations

import datetime as dt
import platform as pyplatform

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from silkgate import __version__
from silkgate.api._auth import AdminOnly, AnyRole, PlatformDep
from silkgate.domain import Dataset, NotFound, Party
from silkgate.exchange import Role

public = APIRouter(tags=["service"])
v1 = APIRouter(prefix="/api/v1")


class Health(BaseModel):
    status: str
    schema_revision: str | None


class Version(BaseModel):
    version: str
    python: str


class WhoAmI(BaseModel):
    token_id: str
    label: str
    party_id: str | None
    roles: list[Role]


class TokenRequest(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1)
    party_id: str | None = None


class TokenInfo(BaseModel):
    id: str
    label: str
    party_id: str | None
    roles: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class IssuedTokenOut(TokenInfo):
    token: str = Field(description="the secret; shown only in this response")


@public.get("/health")
def health(platform: PlatformDep) -> Health:
    return Health(status="ok", schema_revision=platform.database.revision())


@public.get("/version")
def version() -> Version:
    return Version(version=__version__, python=pyplatform.python_version())


@v1.get("/whoami", tags=["accounts"])
def whoami(principal: AnyRole) -> WhoAmI:
    return WhoAmI(
        token_id=principal.token_id,
        label=principal.label,
        party_id=principal.party_id,
        roles=sorted(principal.roles),
    )


@v1.get("/parties", tags=["consortium"])
def list_parties(platform: PlatformDep, _caller: AnyRole) -> list[Party]:
    return platform.registry.parties()


@v1.get("/parties/{party_id}", tags=["consortium"])
def get_party(party_id: str, platform: PlatformDep, _caller: AnyRole) -> Party:
    return platform.registry.party(party_id)


@v1.post("/parties", status_code=status.HTTP_201_CREATED, tags=["consortium"])
def add_party(party: Party, platform: PlatformDep, _caller: AdminOnly) -> Party:
    platform.registry.add_parties([party])
    return party


@v1.get("/datasets", tags=["catalog"])
def list_datasets(
    platform: PlatformDep, _caller: AnyRole, owner: str | None = None
) -> list[Dataset]:
    if owner is not None:
        platform.registry.party(owner)
    return platform.registry.datasets(owner=owner)


@v1.get("/tokens", tags=["accounts"])
def list_tokens(platform: PlatformDep, _caller: AdminOnly) -> list[TokenInfo]:
    return [_token_info(r) for r in platform.accounts.tokens()]


@v1.post("/tokens", status_code=status.HTTP_201_CREATED, tags=["accounts"])
def create_token(body: TokenRequest, platform: PlatformDep, _caller: AdminOnly) -> IssuedTokenOut:
    issued = platform.accounts.issue(label=body.label, roles=body.roles, party_id=body.party_id)
    return IssuedTokenOut(token=issued.secret, **_token_info(issued.record).model_dump())


@v1.delete("/tokens/{token_id}", tags=["accounts"])
def revoke_token(token_id: str, platform: PlatformDep, _caller: AdminOnly) -> TokenInfo:
    known = {r.id for r in platform.accounts.tokens()}
    if token_id not in known:
        raise NotFound(f"no token {token_id!r}", field="token_id")
    return _token_info(platform.accounts.revoke(token_id))


def _token_info(record: object) -> TokenInfo:
    return TokenInfo.model_validate(record, from_attributes=True)
