"""Indonesia NIK (Nomor Induk Kependudukan): region, birth date (day + 40 for women), serial.

python-stdnum's ``id.nik`` is the authority (it checks the province, not the regency); the
column kernel mirrors it. No check digit,
so in text a NIK counts only next to a context word.
"""

from __future__ import annotations

import pandas as pd
from stdnum.id import nik

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
    numdb_codes,
    valid_date,
)


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    shape = fullmatch(text, r"\d{16}")
    d = digits(char_matrix(text[shape], 16))
    day, month, year = number(d, 6, 8) % 40, number(d, 8, 10), number(d, 10, 12)
    born = valid_date(1900 + year, month, day) | valid_date(2000 + year, month, day)
    return apply_where(shape, born & isin(number(d, 0, 2), numdb_codes("id/loc", 2)))


ID_NIK = Identifier(
    entity="ID_NIK",
    category="identifier",
    patterns=(NOT_BEFORE + r"\d{2}[ .]?\d{2}[ .]?\d{2}[ .]?\d{6}[ .]?\d{4}" + NOT_AFTER,),
    is_valid=nik.is_valid,
    score=0.45,
    valid_mask=valid_mask,
    needs_column_hint=True,
    context={
        "en": ("nik", "indonesian id", "ktp"),
        "zh": ("印尼身份证", "印度尼西亚身份证"),
        "ms": ("nik", "kad pengenalan indonesia"),
        "id": ("nik", "ktp", "nomor induk kependudukan", "kartu tanda penduduk", "e-ktp"),
        "th": ("บัตรประชาชนอินโดนีเซีย",),
        "vi": ("căn cước indonesia",),
        "tl": ("nik",),
    },
)
