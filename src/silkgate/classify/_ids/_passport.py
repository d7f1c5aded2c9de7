"""Passport numbers: one or two letters, six to eight digits, at times a closing letter
(CN E/G/EA…, SG K…A, MY A…, TH AA…, VN C…, ID X…, PH P…A). Printed numbers carry no check
digit, so a passport counts in text only next to a context word, and in tables only in a
column named for it.
"""

from __future__ import annotations

import re

import pandas as pd

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import BoolArray, compact, fullmatch

_SHAPE = r"[A-Z]{1,2}\d{6,8}[A-Z]?"


def is_valid(value: str) -> bool:
    return re.fullmatch(_SHAPE, value) is not None and 7 <= len(value) <= 10


def valid_mask(values: pd.Series) -> BoolArray:
    return fullmatch(compact(values), _SHAPE)


PASSPORT = Identifier(
    entity="PASSPORT",
    category="identifier",
    patterns=(NOT_BEFORE + r"[A-Z]{1,2}\d{6,8}[A-Z]?" + NOT_AFTER,),
    is_valid=is_valid,
    score=0.2,
    valid_mask=valid_mask,
    needs_column_hint=True,
    context={
        "en": ("passport",),
        "zh": ("护照",),
        "ms": ("pasport",),
        "id": ("paspor",),
        "th": ("หนังสือเดินทาง", "พาสปอร์ต"),
        "vi": ("hộ chiếu",),
        "tl": ("pasaporte",),
    },
)
