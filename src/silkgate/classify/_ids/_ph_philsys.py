"""Philippines PhilSys: the 12-digit PhilSys Number (PSN) and the 16-digit PhilID card number
(PCN), usually written in groups of four. PSA publishes no check digit for either, so a
PhilSys number counts in text only next to a context word, and in tables only in a column
named for it.
"""

from __future__ import annotations

import pandas as pd

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import BoolArray, compact, fullmatch, varied


def is_valid(value: str) -> bool:
    return len(value) in (12, 16) and value.isdigit() and len(set(value)) > 1


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    return varied(text, fullmatch(text, r"\d{12}"), 12) | varied(
        text, fullmatch(text, r"\d{16}"), 16
    )


PH_PHILSYS = Identifier(
    entity="PH_PHILSYS",
    category="identifier",
    patterns=(
        (NOT_BEFORE + r"\d{4}-\d{4}-\d{4}(?:-\d{4})?" + NOT_AFTER, 0.45),
        (NOT_BEFORE + r"\d{4} \d{4} \d{4}(?: \d{4})?" + NOT_AFTER, 0.3),
        (NOT_BEFORE + r"\d{12}(?:\d{4})?" + NOT_AFTER, 0.2),
    ),
    is_valid=is_valid,
    score=0.45,
    valid_mask=valid_mask,
    needs_column_hint=True,
    context={
        "en": ("philsys", "psn", "pcn", "philid", "phil id", "philippine id", "national id"),
        "zh": ("菲律宾身份证",),
        "ms": ("kad pengenalan filipina",),
        "id": ("ktp filipina",),
        "th": ("บัตรประชาชนฟิลิปปินส์",),
        "vi": ("căn cước philippines",),
        "tl": ("pambansang id", "numero ng philsys", "philsys"),
    },
)
