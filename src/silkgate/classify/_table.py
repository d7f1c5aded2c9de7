"""Classification of tables: per column, decide from a sample which entity types it holds,
then validate every row of the column at once; grade columns and the table, and count the
distinct subjects (and sensitive subjects) that its identifier columns name.

Subjects are distinct values of the strongest identifier column a row has (national IDs
before passports, emails, phones, then accounts). With no identifier column, distinct names
count if there is a name column, else every row of a table with personal data counts as one
subject (an upper bound). Sensitive subjects are those of rows that carry a sensitive
category: a non-empty cell of a sensitive column, or an age under 14.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from silkgate.classify._identifier import Identifier
from silkgate.classify._keywords import (
    AGE_WORDS,
    PERSONAL_COLUMNS,
    SENSITIVE,
    matcher,
    mentions,
    tokens_of,
)
from silkgate.classify._reports import ColumnReport, TableReport
from silkgate.classify._vector import BoolArray
from silkgate.domain import CATEGORIES, DataCategory, highest_grade, is_sensitive

# a name column is not one of these things' names
_NOT_PEOPLE = (
    "user", "username", "company", "product", "file", "host", "brand", "item", "branch", "bank",
    "shop", "store", "merchant", "project", "city", "country", "street", "town", "province",
    "state", "domain", "app", "device", "category", "course", "team", "school", "hospital",
)  # fmt: skip


@dataclass(slots=True)
class _Column:
    name: str
    entities: dict[str, BoolArray] = field(default_factory=dict)
    category: DataCategory = "business"
    sensitive_rows: BoolArray | None = None


def _hinted(identifier: Identifier, tokens: str) -> bool:
    if identifier.entity == "PERSON" and mentions(tokens, _NOT_PEOPLE):
        return False
    return mentions(tokens, identifier.column_words)


def _confirmed(identifier: Identifier, sample: pd.Series, least: float, size: int = 60) -> bool:
    head = sample.head(size)
    return sum(identifier.check(str(v)) for v in head) >= least * len(head)


def _sample(values: pd.Series, size: int) -> pd.Series:
    present = values.dropna()
    if len(present) > size:
        present = present.sample(n=size, random_state=0)
    return present


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values.dtype):
        whole = values.dropna()
        if len(whole) and bool((whole == whole.round()).all()):
            values = values.astype("Int64")
    text: pd.Series = values.astype("string").str.strip()
    return text.mask(text == "")


def _detect(
    name: str, raw: pd.Series, identifiers: Sequence[Identifier], sample_size: int
) -> _Column:
    column = _Column(name)
    tokens = tokens_of(name)
    values = raw if pd.api.types.is_datetime64_any_dtype(raw.dtype) else _as_text(raw)
    sample = _sample(values, sample_size)
    if len(sample):
        shares: list[tuple[float, Identifier]] = []
        for identifier in identifiers:
            hinted = _hinted(identifier, tokens)
            if identifier.needs_column_hint and not hinted:
                continue
            least = 0.2 if hinted else 0.5
            share = float(identifier.mask(sample).mean())
            # the column kernel is fast but may be lenient (phone patterns): the scalar
            # validator (stdnum, phonenumbers) confirms on part of the sample
            if share >= least and _confirmed(identifier, sample, least):
                shares.append((share, identifier))
        if shares:
            best = max(s for s, _ in shares)
            for share, identifier in shares:
                if share >= best / 2:
                    column.entities[identifier.entity] = identifier.mask(values)
    _categorise(column, tokens, values, sample, identifiers)
    return column


def _categorise(
    column: _Column,
    tokens: str,
    values: pd.Series,
    sample: pd.Series,
    identifiers: Sequence[Identifier],
) -> None:
    by_entity = {i.entity: i for i in identifiers}
    present = np.array(values.notna(), dtype=bool)
    if column.entities:
        top = max(column.entities, key=lambda e: int(column.entities[e].sum()))
        column.category = by_entity[top].category
        if is_sensitive(column.category):
            column.sensitive_rows = column.entities[top]
    for category, words in SENSITIVE.items():
        if mentions(tokens, words):
            if category == "minor_under_14" and column.entities:
                continue
            column.category, column.sensitive_rows = category, present
            return
    if mentions(tokens, AGE_WORDS):
        ages = pd.to_numeric(values, errors="coerce")
        minors = np.array((ages >= 0) & (ages < 14), dtype=bool)
        if minors.any():
            column.category, column.sensitive_rows = "minor_under_14", minors
            return
    if column.entities:
        return
    if len(sample) and not pd.api.types.is_datetime64_any_dtype(sample.dtype):
        lowered = sample.astype("string").str.lower()
        for category, words in SENSITIVE.items():
            hits = lowered.str.contains(matcher(words).pattern, regex=True).fillna(False)
            if float(hits.mean()) >= 0.3:
                column.category, column.sensitive_rows = category, present
                return
    for category, words in PERSONAL_COLUMNS.items():
        if mentions(tokens, words):
            column.category = category
            return


def _subject_keys(columns: list[_Column], frame: pd.DataFrame, order: list[str]) -> pd.Series:
    keys = pd.Series(pd.NA, index=frame.index, dtype="string")
    ranked = sorted(
        ((column, entity) for column in columns for entity in column.entities if entity in order),
        key=lambda pair: order.index(pair[1]),
    )
    for column, entity in ranked:
        mask = column.entities[entity] & np.array(keys.isna(), dtype=bool)
        if mask.any():
            text = frame[column.name].astype("string").str.strip().str.upper()
            keys[mask] = (f"{entity}\x1f" + text[mask]).to_numpy()
    return keys


def classify_frame(
    frame: pd.DataFrame, identifiers: Sequence[Identifier], *, sample_size: int = 500
) -> TableReport:
    """The TableReport of ``frame``: see the module docstring for how subjects count."""
    rows = len(frame)
    columns = [_detect(str(n), frame[n], identifiers, sample_size) for n in frame.columns]
    order = [i.entity for i in identifiers if i.subject]
    keys = _subject_keys(columns, frame, order)
    sensitive = np.zeros(rows, dtype=bool)
    for column in columns:
        if column.sensitive_rows is not None:
            sensitive |= column.sensitive_rows
    personal = any(CATEGORIES[c.category].is_personal for c in columns)
    if keys.notna().any():
        subjects = int(keys.nunique())
        sensitive_subjects = int(keys[sensitive].nunique())
    else:
        names = [c for c in columns if "PERSON" in c.entities]
        if names:
            text = frame[names[0].name].astype("string").str.strip()
            subjects, sensitive_subjects = int(text.nunique()), int(text[sensitive].nunique())
        else:
            subjects = rows if personal else 0
            sensitive_subjects = int(sensitive.sum()) if personal else 0
    reports = {
        c.name: ColumnReport(
            entities={e: round(float(m.sum()) / rows, 4) for e, m in c.entities.items() if rows},
            category=c.category,
            grade=CATEGORIES[c.category].grade,
        )
        for c in columns
    }
    return TableReport(
        rows=rows,
        columns=reports,
        subjects=subjects,
        sensitive_subjects=sensitive_subjects,
        grade=highest_grade((r.grade for r in reports.values()), default="general_1"),
    )
