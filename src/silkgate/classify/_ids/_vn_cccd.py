"""Vietnam citizen identity number: 12-digit CCCD (province, century and sex, year) and the
old 9-digit CMND. No check digit: the province code (Circular 07/2016) and century digit are
all there is, so these count in text only with a context word nearby.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import (
    BoolArray,
    apply_where,
    char_matrix,
    compact,
    digits,
    fullmatch,
    isin,
    number,
    varied,
)

PROVINCES = frozenset(
    int(c)
    for c in [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)


def is_valid(value: str) -> bool:
    if len(value) == 9 and value.isdigit():
        return 1 <= int(value[:2]) <= 38 and len(set(value)) > 1
    if len(value) != 12 or not value.isdigit() or int(value[:3]) not in PROVINCES:
        return False
    year = 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])
    return year <= date.today().year


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    shape = fullmatch(text, r"\d{12}")
    d = digits(char_matrix(text[shape], 12))
    year = 1900 + 100 * (d[:, 3] // 2) + number(d, 4, 6)
    ok = isin(number(d, 0, 3), PROVINCES) & (year <= date.today().year)
    old = varied(text, fullmatch(text, r"(?:0[1-9]|[12]\d|3[0-8])\d{7}"), 9)
    return apply_where(shape, ok) | old


VN_CITIZEN_ID = Identifier(
    entity="VN_CITIZEN_ID",
    category="identifier",
    patterns=(
        (NOT_BEFORE + r"0\d{2}[0-9]\d{8}" + NOT_AFTER, 0.4),
        (NOT_BEFORE + r"\d{9}" + NOT_AFTER, 0.2),
    ),
    is_valid=is_valid,
    score=0.4,
    valid_mask=valid_mask,
    needs_column_hint=True,
    context={
        "en": ("vietnamese id", "citizen id", "cccd", "cmnd"),
        "zh": ("越南身份证", "越南公民"),
        "ms": ("kad pengenalan vietnam",),
        "id": ("ktp vietnam",),
        "th": ("บัตรประชาชนเวียดนาม",),
        "vi": ("căn cước", "cccd", "cmnd", "chứng minh nhân dân", "số định danh", "cmtnd"),
        "tl": ("vietnamese id",),
    },
)
