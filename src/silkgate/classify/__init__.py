"""Discovery and classification of personal and sensitive data in tables and text.

``classify_path`` reads a CSV, Parquet or JSON Lines table, or text, and reports what it
holds in the shapes of docs/contracts.md (``silkgate classify``). A ``Classifier`` holds the
identifiers and the Presidio analyzer; build one and reuse it, and register your own
identifiers (``add_identifier``) or Presidio recognizers (``add_recognizer``) on it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from silkgate.classify._engine import BlankSpacyNlpEngine, Classifier
from silkgate.classify._errors import ClassifyError, InvalidRecognizer, UnsupportedFormat
from silkgate.classify._identifier import Identifier, IdentifierRecognizer
from silkgate.classify._ids import BUILTIN as BUILTIN_IDENTIFIERS
from silkgate.classify._reports import (
    ColumnReport,
    TableReport,
    TextEntity,
    TextRecord,
    TextReport,
)
from silkgate.classify._types import LANGUAGE, Format, RecordId

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd


@cache
def _default() -> Classifier:
    return Classifier()


def classify_path(path: Path, format: Format = "auto") -> TableReport | TextReport:
    """Classify the file at ``path`` with the default Classifier."""
    return _default().classify_path(path, format)


def classify_table(frame: pd.DataFrame) -> TableReport:
    """Classify a table with the default Classifier."""
    return _default().classify_table(frame)


def classify_text(records: str | Iterable[tuple[RecordId, str]]) -> TextReport:
    """Classify texts (pairs of id and text, or one string) with the default Classifier."""
    return _default().classify_text(records)


__all__ = [
    "BUILTIN_IDENTIFIERS",
    "LANGUAGE",
    "BlankSpacyNlpEngine",
    "Classifier",
    "ClassifyError",
    "ColumnReport",
    "Format",
    "Identifier",
    "IdentifierRecognizer",
    "InvalidRecognizer",
    "RecordId",
    "TableReport",
    "TextEntity",
    "TextRecord",
    "TextReport",
    "UnsupportedFormat",
    "classify_path",
    "classify_table",
    "classify_text",
]
