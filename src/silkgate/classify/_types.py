"""Aliases shared by the classify modules."""

from __future__ import annotations

from typing import Literal, TypeAlias

Format: TypeAlias = Literal["auto", "csv", "parquet", "jsonl", "text"]
RecordId: TypeAlias = str | int
EntityType: TypeAlias = str
"""An entity type name as in docs/contracts.md (``CN_RESIDENT_ID``, ``EMAIL_ADDRESS``, ...)."""

LANGUAGE = "xx"
"""The Presidio language code silkgate analyses under: one multi-language pipeline, since
records carry no language tag and context words of all seven languages apply everywhere."""
