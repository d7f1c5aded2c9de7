"""Reports of classification; ``model_dump(mode="json")`` is the contracts.md JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from silkgate.classify._types import EntityType, RecordId
from silkgate.domain import DataCategory, Grade


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ColumnReport(_Report):
    """What one column holds: share of rows matching each entity type, category and grade."""

    entities: dict[EntityType, float] = Field(default_factory=dict)
    category: DataCategory
    grade: Grade


class TableReport(_Report):
    """A table: per-column findings, distinct (sensitive) subjects, and the table's grade."""

    kind: Literal["table"] = "table"
    rows: int = Field(ge=0)
    columns: dict[str, ColumnReport]
    subjects: int = Field(ge=0)
    sensitive_subjects: int = Field(ge=0)
    grade: Grade


class TextEntity(_Report):
    """One finding in a text; ``start``/``end`` are Python string offsets (``text[start:end]``)."""

    type: EntityType
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float = Field(ge=0.0, le=1.0)


class TextRecord(_Report):
    id: RecordId
    entities: list[TextEntity]


class TextReport(_Report):
    kind: Literal["text"] = "text"
    records: list[TextRecord]
