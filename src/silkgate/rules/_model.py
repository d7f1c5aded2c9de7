"""Rulebook and Clause: one jurisdiction's transfer law as data, validated on load."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from silkgate.domain import DomainModel, InvalidInput, Mechanism, jurisdiction

Effect = Literal[
    "not_transfer", "allow", "require", "prohibit", "obligation", "note", "alternative"
]
"""What a clause does when its condition holds (docs/rules.md explains each)."""

Side = Literal["exporter", "importer"]

_ID = r"^[a-z0-9][a-z0-9._-]{0,99}$"


class ObligationRule(DomainModel):
    """An obligation a clause attaches; ``mechanism`` limits it to flows using that mechanism."""

    id: str = Field(pattern=_ID)
    what: str = Field(min_length=1)
    authority: str | None = None
    deadline_days: int | None = Field(None, ge=0)
    citation: str | None = Field(None, description="defaults to the clause's citation")
    mechanism: Mechanism | None = None


class Clause(DomainModel):
    """One rule: when ``condition`` (CEL) holds on the request, ``effect`` applies."""

    id: str = Field(pattern=_ID, examples=["cn.2024.art8.contract"])
    title: str = Field(min_length=1, description="what the clause says, shown in the trace")
    side: Side = Field(
        "exporter", description="whose jurisdiction must be the rulebook's: exporter or importer"
    )
    effective_from: dt.date | None = None
    effective_to: dt.date | None = Field(None, description="last day in force (inclusive)")
    condition: str = Field("true", min_length=1, description="a CEL expression giving a bool")
    effect: Effect
    mechanisms: tuple[Mechanism, ...] = Field(
        (), description="for `require`: any one of these, in place, satisfies the clause"
    )
    also_met_by: tuple[Mechanism, ...] = Field(
        (), description="for `require`: stronger mechanisms that also meet it, not offered"
    )
    exemptible: bool = Field(
        True, description="for `require`: whether an `allow` clause of the rulebook waives it"
    )
    obligations: tuple[ObligationRule, ...] = ()
    citation: str = Field(min_length=1)
    note: str | None = Field(None, description="uncertainty or simplification, said plainly")

    @model_validator(mode="after")
    def _consistent(self) -> Clause:
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to < self.effective_from
        ):
            raise ValueError("effective_to is before effective_from")
        if self.effect == "require" and not self.mechanisms:
            raise ValueError("a `require` clause needs at least one mechanism")
        if self.effect != "require" and (self.mechanisms or self.also_met_by):
            raise ValueError("only `require` clauses list mechanisms")
        return self

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


class Source(DomainModel):
    title: str = Field(min_length=1)
    url: str | None = None


class Rulebook(DomainModel):
    """The clauses of one jurisdiction (or ``*``: every jurisdiction), in the order applied."""

    id: str = Field(pattern=_ID, examples=["cn"])
    title: str = Field(min_length=1)
    jurisdictions: tuple[str, ...] = Field(
        min_length=1, description="codes the rulebook covers; '*' for all"
    )
    fallback: bool = Field(
        False, description="applies only to exporters that no other rulebook covers"
    )
    sources: tuple[Source, ...] = ()
    clauses: tuple[Clause, ...] = ()

    @field_validator("jurisdictions")
    @classmethod
    def _codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        try:
            return tuple(c if c == "*" else jurisdiction(c).code for c in codes)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _unique_ids(self) -> Rulebook:
        seen: set[str] = set()
        for clause in self.clauses:
            if clause.id in seen:
                raise ValueError(f"clause id {clause.id!r} appears twice")
            seen.add(clause.id)
        return self
