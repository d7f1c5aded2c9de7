"""Identifier: one kind of personal data silkgate finds in text (a Presidio recognizer) and
in table columns (a vectorised validator), described once.

A built-in identifier is a small module in ``_ids/``; users add their own with
``Classifier.add_identifier``. A value of the right shape that fails ``is_valid`` (a wrong
check digit, an impossible date, an unknown region code) is not an identifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from silkgate.classify._errors import InvalidRecognizer
from silkgate.classify._types import LANGUAGE
from silkgate.classify._vector import BoolArray
from silkgate.domain import CATEGORIES, DataCategory

_SEPARATORS = re.compile(r"[\s\-.]")


def strip_separators(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


@dataclass(frozen=True, slots=True)
class Identifier:
    """How to find and check one entity type.

    - ``patterns``: regexes (the ``regex`` module's syntax) that find candidates in text.
    - ``is_valid``: the authority on one value (python-stdnum where it covers the number).
    - ``valid_mask``: the same check over a whole column at once; ``None`` falls back to
      ``is_valid`` on each distinct value.
    - ``score``: confidence of a valid match with no context word nearby; checksummed
      identifiers are stronger evidence than shape-only ones. A score below the
      classifier's threshold (0.5) means the match counts only with a context word.
    - ``context``: words per language that, near a match in text or in a column's name,
      make the type likely (``{"en": ("passport",), "zh": ("护照",)}``); the key
      ``"columns"`` holds words for column names only (``"dob"``, ``"msisdn"``).
    - ``needs_column_hint``: in tables, only a column whose name carries a context word
      can hold this type (weak shapes: any 12 digits, a letter and 7 digits).
    - ``subject``: the value identifies one individual, so distinct values count subjects.
    - ``patterns`` entries may carry their own score: ``(regex, score)``.
    - ``make_recognizer``: builds the text recognizer when a pattern one does not fit.
    """

    entity: str
    category: DataCategory
    patterns: tuple[str | tuple[str, float], ...]
    is_valid: Callable[[str], bool]
    score: float
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    valid_mask: Callable[[pd.Series], BoolArray] | None = None
    checksum: bool = False
    needs_column_hint: bool = False
    subject: bool = True
    compact: Callable[[str], str] = strip_separators
    make_recognizer: Callable[[Identifier], EntityRecognizer] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", self.entity):
            raise InvalidRecognizer(
                f"{self.entity!r} is not an entity type name (upper case, digits, underscores)",
                field="entity",
            )
        if self.category not in CATEGORIES:
            raise InvalidRecognizer(f"{self.category!r} is not a DataCategory", field="category")
        if not 0.0 < self.score <= 1.0:
            raise InvalidRecognizer(f"score {self.score} is not in (0, 1]", field="score")
        if not self.patterns:
            raise InvalidRecognizer(f"{self.entity}: at least one pattern", field="patterns")

    @property
    def words(self) -> tuple[str, ...]:
        """Context words of every language for text, lower-cased."""
        return tuple(
            w.lower() for lang, words in self.context.items() if lang != "columns" for w in words
        )

    @property
    def column_words(self) -> tuple[str, ...]:
        """Words that, in a column's name, hint at this type: ``words`` and the ``columns`` key."""
        return tuple(w.lower() for words in self.context.values() for w in words)

    def check(self, value: str) -> bool:
        """``is_valid`` on the compacted value, never raising."""
        try:
            return bool(self.is_valid(self.compact(value)))
        except (ValueError, TypeError, IndexError, KeyError):
            return False

    def mask(self, values: pd.Series) -> BoolArray:
        """Which values of a column are valid identifiers of this type (vectorised)."""
        if self.valid_mask is not None:
            return self.valid_mask(values)
        text = values.astype("string")
        distinct = text.dropna().unique()
        valid = {v for v in distinct if self.check(str(v))}
        return np.array(text.isin(valid).fillna(False), dtype=bool)

    def recognizer(self) -> EntityRecognizer:
        """A Presidio recognizer for this identifier."""
        if self.make_recognizer is not None:
            return self.make_recognizer(self)
        return IdentifierRecognizer(self)


class IdentifierRecognizer(PatternRecognizer):
    """Presidio's PatternRecognizer checking each match with the identifier's validator.

    A valid match keeps its pattern's score (context words nearby raise it); an invalid one
    (wrong check digit, impossible date) is dropped.
    """

    def __init__(self, identifier: Identifier) -> None:
        self.identifier = identifier
        super().__init__(
            supported_entity=identifier.entity,
            name=f"silkgate:{identifier.entity}",
            supported_language=LANGUAGE,
            patterns=[
                Pattern(f"{identifier.entity}#{i}", *_regex_and_score(p, identifier.score))
                for i, p in enumerate(identifier.patterns)
            ],
            context=list(identifier.words),
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return not self.identifier.check(pattern_text)


def _regex_and_score(pattern: str | tuple[str, float], default: float) -> tuple[str, float]:
    return (pattern, default) if isinstance(pattern, str) else pattern


# Digit runs in text must not continue into other digits or Latin letters; "\b" is no use
# here because Han and Thai letters are word characters too.
NOT_BEFORE = r"(?<![0-9A-Za-z])"
NOT_AFTER = r"(?![0-9A-Za-z])"
