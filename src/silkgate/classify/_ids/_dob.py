"""Dates of birth: a date (numeric, CJK, or with month names in the seven languages, Thai
Buddhist-era years included) next to a birth context word, or in a column named for it.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from silkgate.classify._identifier import Identifier
from silkgate.classify._vector import BoolArray

_MONTHS = {
    # en, ms, id, tl (Spanish-derived), vi handled by "tháng N", th below
    **{
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "januari",
                "februari",
                "mac",
                "april",
                "mei",
                "jun",
                "julai",
                "ogos",
                "september",
                "oktober",
                "november",
                "disember",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "januari",
                "februari",
                "maret",
                "april",
                "mei",
                "juni",
                "juli",
                "agustus",
                "september",
                "oktober",
                "november",
                "desember",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "enero",
                "pebrero",
                "marso",
                "abril",
                "mayo",
                "hunyo",
                "hulyo",
                "agosto",
                "setyembre",
                "oktubre",
                "nobyembre",
                "disyembre",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "มกราคม",
                "กุมภาพันธ์",
                "มีนาคม",
                "เมษายน",
                "พฤษภาคม",
                "มิถุนายน",
                "กรกฎาคม",
                "สิงหาคม",
                "กันยายน",
                "ตุลาคม",
                "พฤศจิกายน",
                "ธันวาคม",
            ]
        )
    },
}
_MONTH_WORD = r"(?:[A-Za-z]{3,9}|[\u0E00-\u0E7F]{5,12})"

_NUMERIC = [
    (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", "ymd"),
    (r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", "dmy"),
    (r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", "ymd"),
    (r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm\s*)?(\d{4})", "dmy"),
    (r"(\d{1,2})\s+(" + _MONTH_WORD + r")\.?,?\s+(\d{4})", "dMy"),
    (r"(" + _MONTH_WORD + r")\.?\s+(\d{1,2}),?\s+(\d{4})", "Mdy"),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), order) for p, order in _NUMERIC]


def parse(value: str) -> date | None:
    """The date ``value`` writes, if it is one of the accepted shapes (else ``None``)."""
    value = value.strip()
    for regex, order in _COMPILED:
        m = regex.fullmatch(value)
        if m is None:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            y, mo, d = int(a), int(b), int(c)
        elif order == "dmy":
            d, mo, y = int(a), int(b), int(c)
        else:
            word, day = (b, a) if order == "dMy" else (a, b)
            key = word.lower() if word.isascii() else word
            month = _MONTHS.get(key) or _MONTHS.get(key[:3])
            if month is None:
                return None
            y, mo, d = int(c), month, int(day)
        if y > date.today().year + 400:  # Buddhist era (Thailand)
            y -= 543
        try:
            return date(y, mo, d)
        except ValueError:
            return None
    return None


def is_valid(value: str) -> bool:
    born = parse(value)
    return born is not None and date(1900, 1, 1) <= born <= date.today()


_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d")


def valid_mask(values: pd.Series) -> BoolArray:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        born = values
    else:
        text = values.astype("string").str.strip()
        sample = text.dropna().head(200)
        best = max(
            _FORMATS,
            key=lambda f: pd.to_datetime(sample, format=f, errors="coerce").notna().sum(),
        )
        born = pd.to_datetime(text, format=best, errors="coerce")
        if not born.notna().any():
            return np.array(text.map(is_valid, na_action="ignore").fillna(False), dtype=bool)
    ok = born.notna() & (born >= pd.Timestamp(1900, 1, 1)) & (born <= pd.Timestamp.today())
    return np.array(ok, dtype=bool)


_DATE = "|".join(p for p, _ in _NUMERIC)

DATE_OF_BIRTH = Identifier(
    entity="DATE_OF_BIRTH",
    category="demographic",
    patterns=(r"(?<!\d)(?:" + _DATE + r")(?!\d)",),
    is_valid=is_valid,
    score=0.3,
    valid_mask=valid_mask,
    needs_column_hint=True,
    subject=False,
    compact=str.strip,
    context={
        "en": ("born", "birth", "dob", "birthday", "d.o.b"),
        "zh": ("出生", "生日", "生于"),
        "ms": ("lahir", "tarikh lahir", "kelahiran"),
        "id": ("lahir", "tanggal lahir", "tgl lahir", "kelahiran"),
        "th": ("เกิด", "วันเกิด"),
        "vi": ("sinh", "ngày sinh", "sinh ngày", "năm sinh"),
        "tl": ("kapanganakan", "ipinanganak", "kaarawan"),
        "columns": ("dob", "birthdate"),
    },
)
