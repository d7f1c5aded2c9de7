"""Task specifications: what to compute, over which inputs, for whom, within which limits.

A task is data (pydantic, JSON): `silkgate compute submit TASK.json` and the API parse it
into a `TaskSpec`; every engine validates its own `params` when the spec is built.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field, JsonValue, model_validator

from silkgate.domain import DomainModel

TaskKind = Literal["psi", "secure_stats", "he_aggregate", "dp_query", "fl_train"]
TaskState = Literal["pending", "running", "succeeded", "failed", "cancelled"]
Role = Literal["input", "receiver", "key_holder", "server", "client", "aggregator"]
TASK_KINDS: tuple[TaskKind, ...] = ("psi", "secure_stats", "he_aggregate", "dp_query", "fl_train")
FINAL_STATES: frozenset[TaskState] = frozenset({"succeeded", "failed", "cancelled"})

_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def new_task_id() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


class TaskInput(DomainModel):
    """One party's dataset and the columns the task reads from it (never the rows)."""

    party: str = Field(pattern=_SLUG)
    dataset: str = Field(pattern=_SLUG)
    columns: tuple[str, ...] = Field(min_length=1)


class Privacy(DomainModel):
    """Differential-privacy parameters: ε for one subject added or removed."""

    epsilon: float = Field(gt=0, le=100)
    delta: float = Field(0.0, ge=0, lt=1)


class Limits(DomainModel):
    rows: int = Field(10_000_000, ge=1, description="most rows one input may hold")
    time_s: float = Field(600.0, gt=0, le=86_400, description="wall time of one attempt")
    retries: int = Field(1, ge=0, le=5, description="re-attempts of idempotent steps")


class TaskSpec(DomainModel):
    """A privacy-computing task as submitted."""

    id: str = Field(default_factory=new_task_id, pattern=_SLUG)
    kind: TaskKind
    inputs: tuple[TaskInput, ...] = Field(min_length=1)
    receivers: tuple[str, ...] = Field(min_length=1, description="parties that get the result")
    roles: dict[str, Role] = Field(default_factory=dict, description="party → engine role")
    privacy: Privacy | None = None
    limits: Limits = Limits()
    params: dict[str, JsonValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> TaskSpec:
        parties = [i.party for i in self.inputs]
        unknown = sorted(set(self.roles) - set(parties) - set(self.receivers))
        if unknown:
            raise ValueError(f"roles name parties that take no part in the task: {unknown}")
        if len(set(self.receivers)) != len(self.receivers):
            raise ValueError("receivers are repeated")
        from silkgate.compute._engines import engine_for

        engine_for(self.kind).check(self)
        return self

    @property
    def parties(self) -> tuple[str, ...]:
        """Every party the task involves, inputs first, in order of appearance."""
        seen: dict[str, None] = {}
        for party in [i.party for i in self.inputs] + list(self.receivers):
            seen.setdefault(party, None)
        return tuple(seen)

    def inputs_of(self, party: str) -> tuple[TaskInput, ...]:
        return tuple(i for i in self.inputs if i.party == party)

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)
