"""The consortium configuration the genesis block holds and governance changes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from silkgate.ledger._policy import EndorsementPolicy

DEFAULT_POLICIES: dict[str, str] = {
    "registry": "owner+1",
    "access": "owner+1",
    "consent": "owner+1",
    "exchange": "owner+1",
    "governance": "majority",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrgConfig(_Frozen):
    """A member organisation and the CA certificate its members' certificates chain to."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str
    country: str
    ca_pem: str


class OrderingSettings(_Frozen):
    kind: Literal["solo", "jetstream"] = "solo"
    max_tx_per_block: int = Field(500, ge=1, le=10_000)
    orderer_certs: tuple[str, ...] = Field(min_length=1)


class ConsortiumConfig(_Frozen):
    """Organisations, their CAs, endorsement policies per contract, ordering settings."""

    version: int = Field(0, ge=0)
    orgs: tuple[OrgConfig, ...] = Field(min_length=1)
    policies: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_POLICIES))
    ordering: OrderingSettings
    max_clock_skew_s: int = Field(900, ge=1, description="tx time vs block time")

    @field_validator("policies")
    @classmethod
    def _parse_policies(cls, value: dict[str, str]) -> dict[str, str]:
        return {contract: str(EndorsementPolicy.parse(text)) for contract, text in value.items()}

    @model_validator(mode="after")
    def _unique_orgs(self) -> ConsortiumConfig:
        ids = [o.id for o in self.orgs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"organisation ids repeat: {ids}")
        return self

    @property
    def org_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.orgs)

    def policy(self, contract: str) -> EndorsementPolicy:
        return EndorsementPolicy.parse(self.policies.get(contract, "majority"))
