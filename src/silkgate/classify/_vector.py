"""Vectorised building blocks for validating a whole column at once (numpy, pandas strings).

Each kernel mirrors a scalar validator (python-stdnum's, or silkgate's own where stdnum has
none); the property tests check both agree on valid and corrupted values.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

BoolArray = npt.NDArray[np.bool_]
IntMatrix = npt.NDArray[np.int64]

_SEPARATORS = r"[\s\-.]"


def compact(values: pd.Series) -> pd.Series:
    """Upper-cased strings without spaces, dashes and dots (nulls become empty strings)."""
    text = values.astype("string").fillna("")
    return text.str.replace(_SEPARATORS, "", regex=True).str.upper()


def fullmatch(values: pd.Series, pattern: str) -> BoolArray:
    """Which values match ``pattern`` in full (nulls never do)."""
    matched: BoolArray = np.array(values.str.fullmatch(pattern).fillna(False), dtype=bool)
    return matched


def varied(values: pd.Series, shape: BoolArray, length: int) -> BoolArray:
    """Rows of ``shape`` (strings of ``length``) not made of one repeated character."""
    chars = char_matrix(values[shape], length)
    return apply_where(shape, (chars != chars[:, :1]).any(axis=1))


def char_matrix(values: pd.Series, length: int) -> npt.NDArray[np.uint8]:
    """The ASCII codes of equal-length strings, one row per value."""
    if len(values) == 0:
        return np.zeros((0, length), dtype=np.uint8)
    joined = "".join(values.tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, length)


def digits(matrix: npt.NDArray[np.uint8]) -> IntMatrix:
    return matrix.astype(np.int64) - 48


def number(d: IntMatrix, start: int, stop: int) -> npt.NDArray[np.int64]:
    """The integer written by digit columns ``start:stop``."""
    powers = 10 ** np.arange(stop - start - 1, -1, -1, dtype=np.int64)
    return d[:, start:stop] @ powers


def valid_date(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> BoolArray:
    """Calendar check (leap years included), element-wise."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    ok_month = (month >= 1) & (month <= 12)
    limit = days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    valid: BoolArray = ok_month & (day >= 1) & (day <= limit) & (year >= 1)
    return valid


def not_future(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> BoolArray:
    today = date.today()
    key = year * 10000 + month * 100 + day
    return key <= today.year * 10000 + today.month * 100 + today.day


def two_digit_year_date(d: IntMatrix, at: int, *, day_offset: int = 0) -> BoolArray:
    """YYMMDD at ``at`` (less ``day_offset`` days) is a date in 19YY or 20YY.

    Mirrors stdnum's my.nric/id.nik ``get_birth_date``: 1900s first, else 2000s.
    """
    yy = number(d, at, at + 2)
    mm = number(d, at + 2, at + 4)
    dd = number(d, at + 4, at + 6) - day_offset
    return valid_date(1900 + yy, mm, dd) | valid_date(2000 + yy, mm, dd)


def apply_where(shape: BoolArray, ok: BoolArray) -> BoolArray:
    """Refine ``shape`` (rows of the right shape) with ``ok`` (one entry per such row)."""
    out = shape.copy()
    out[shape] = ok
    return out


@cache
def numdb_codes(name: str, length: int) -> frozenset[int]:
    """Every code of ``length`` digits listed in a python-stdnum numdb file (e.g. ``cn/loc``)."""
    from stdnum import numdb

    codes: set[int] = set()

    def walk(prefixes: list[tuple[int, str, str, object, list[object]]], prefix: str) -> None:
        for size, low, high, _props, children in prefixes:
            for value in range(int(low), int(high) + 1):
                code = prefix + str(value).zfill(size)
                if len(code) == length:
                    codes.add(int(code))
                elif children and len(code) < length:
                    walk(children, code)  # type: ignore[arg-type]

    walk(numdb.get(name).prefixes, "")  # type: ignore[arg-type]
    return frozenset(codes)


def isin(values: npt.NDArray[np.int64], codes: frozenset[int]) -> BoolArray:
    return np.isin(values, np.fromiter(codes, dtype=np.int64, count=len(codes)))
