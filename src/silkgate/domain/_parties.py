"""Parties of the consortium and the datasets they hold."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from silkgate.domain._base import DomainModel
from silkgate.domain._categories import DataCategory, Grade
from silkgate.domain._jurisdiction import jurisdiction

PartyRole = Literal[
    "data_provider", "data_consumer", "compute_node", "exchange_operator", "regulator", "auditor"
]
Certification = str
"""An upper-case scheme name, e.g. GLOBAL_CBPR, GLOBAL_PRP, ISO_27001, ISO_27701, DTSC."""

_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def _check_jurisdiction(code: str) -> str:
    return jurisdiction(code).code


class Party(DomainModel):
    """An organisation that takes part in the consortium."""

    id: str = Field(pattern=_SLUG, examples=["cn-gxic"])
    name: str = Field(min_length=1, max_length=200)
    jurisdiction: str = Field(description="ISO 3166-1 alpha-2, 'EU' or 'US-CA'")
    roles: frozenset[PartyRole] = frozenset()
    certifications: frozenset[Certification] = frozenset()

    _jurisdiction = field_validator("jurisdiction")(_check_jurisdiction)

    @field_validator("certifications")
    @classmethod
    def _upper_snake(cls, value: frozenset[str]) -> frozenset[str]:
        bad = sorted(c for c in value if not c or c.upper() != c or " " in c)
        if bad:
            raise ValueError(f"certifications must be UPPER_SNAKE names, got {bad}")
        return value


ColumnType = Literal["string", "integer", "float", "boolean", "date", "datetime", "binary"]


class Column(DomainModel):
    name: str = Field(min_length=1)
    type: ColumnType = "string"
    category: DataCategory | None = None


class Dataset(DomainModel):
    """A dataset as registered: where it lives, who owns it, what it holds."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(pattern=_SLUG, description="id of the owning Party")
    location: str = Field(description="jurisdiction where the data is stored")
    format: Literal["csv", "parquet", "jsonl", "text", "table"] = "csv"
    columns: tuple[Column, ...] = ()
    rows: int = Field(ge=0)
    subjects: int = Field(ge=0, description="distinct individuals the data is about")
    sensitive_subjects: int = Field(ge=0)
    categories: frozenset[DataCategory] = frozenset()
    grade: Grade = "general_1"
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content")

    _location = field_validator("location")(_check_jurisdiction)
