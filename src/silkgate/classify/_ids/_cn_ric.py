"""China resident identity card number (GB 11643-1999): region, birth date, ISO 7064 check.

python-stdnum's ``cn.ric`` is the authority; the column kernel mirrors it (the region is
checked against every code stdnum lists, without its per-year validity of counties).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from stdnum.cn import ric

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import (
    BoolArray,
    apply_where,
    char_matrix,
    compact,
    digits,
    fullmatch,
    isin,
    not_future,
    number,
    numdb_codes,
    valid_date,
)

_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    shape = fullmatch(text, r"\d{17}[\dX]")
    chars = char_matrix(text[shape], 18)
    d = digits(chars[:, :17])
    check = (12 - (d @ _WEIGHTS) % 11) % 11
    last = chars[:, 17]
    ok = np.where(check == 10, last == ord("X"), last == check + 48)
    year, month, day = number(d, 6, 10), number(d, 10, 12), number(d, 12, 14)
    ok &= valid_date(year, month, day) & not_future(year, month, day) & (year >= 1900)
    ok &= isin(number(d, 0, 6), numdb_codes("cn/loc", 6))
    return apply_where(shape, ok)


CN_RESIDENT_ID = Identifier(
    entity="CN_RESIDENT_ID",
    category="identifier",
    patterns=(NOT_BEFORE + r"\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx]" + NOT_AFTER,),
    is_valid=ric.is_valid,
    score=1.0,
    checksum=True,
    valid_mask=valid_mask,
    context={
        "en": ("resident id", "id card", "identity card", "chinese id", "prc id"),
        "zh": ("身份证", "身份号码", "证件号", "公民身份"),
        "ms": ("kad pengenalan china",),
        "id": ("ktp tiongkok",),
        "th": ("บัตรประชาชนจีน",),
        "vi": ("căn cước trung quốc",),
        "tl": ("id ng tsina",),
        "columns": ("sfz", "id_no", "idcard", "id_card", "shenfenzheng"),
    },
)
