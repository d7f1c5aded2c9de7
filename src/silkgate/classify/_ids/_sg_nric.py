"""Singapore NRIC/FIN: series letter, seven digits, check letter (S, T, F, G and M series).

python-stdnum has no Singapore NRIC, so the check is here. Weights 2 7 6 5 4 3 2; S/F add 0,
T/G add 4, M adds 3; S/T and F/G index their alphabets by the remainder, M counts back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import (
    BoolArray,
    apply_where,
    char_matrix,
    compact,
    digits,
    fullmatch,
)

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_OFFSET = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}
_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}
_M_LETTERS = "KLJNPQRTUWX"


def check_letter(series: str, digits7: str) -> str:
    remainder = (
        _OFFSET[series] + sum(w * int(c) for w, c in zip(_WEIGHTS, digits7, strict=True))
    ) % 11
    if series == "M":
        return _M_LETTERS[10 - remainder]
    return _LETTERS[series][remainder]


def is_valid(value: str) -> bool:
    value = value.upper()
    if len(value) != 9 or value[0] not in _OFFSET or not value[1:8].isdigit():
        return False
    return value[8] == check_letter(value[0], value[1:8])


# the check letter's code per series letter (row) and remainder 0..10 (column)
_TABLE = np.zeros((128, 11), dtype=np.uint8)
_OFFSETS = np.zeros(128, dtype=np.int64)
for _series, _offset in _OFFSET.items():
    _OFFSETS[ord(_series)] = _offset
    for _r in range(11):
        _letter = _M_LETTERS[10 - _r] if _series == "M" else _LETTERS[_series][_r]
        _TABLE[ord(_series), _r] = ord(_letter)


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    shape = fullmatch(text, r"[STFGM]\d{7}[A-Z]")
    chars = char_matrix(text[shape], 9)
    series = chars[:, 0].astype(np.int64)
    remainder = (_OFFSETS[series] + digits(chars[:, 1:8]) @ np.array(_WEIGHTS)) % 11
    return apply_where(shape, _TABLE[series, remainder] == chars[:, 8])


SG_NRIC_FIN = Identifier(
    entity="SG_NRIC_FIN",
    category="identifier",
    patterns=(NOT_BEFORE + r"[STFGMstfgm]\d{7}[A-Za-z]" + NOT_AFTER,),
    is_valid=is_valid,
    score=1.0,
    checksum=True,
    valid_mask=valid_mask,
    context={
        "en": ("nric", "fin", "ic no", "identity card", "singapore id"),
        "zh": ("身份证", "新加坡身份证", "准证"),
        "ms": ("kad pengenalan singapura", "nric"),
        "id": ("ktp singapura", "nric"),
        "th": ("บัตรประชาชนสิงคโปร์",),
        "vi": ("căn cước singapore",),
        "tl": ("nric",),
        "columns": ("uin",),
    },
)
