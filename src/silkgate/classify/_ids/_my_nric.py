"""Malaysia MyKad number (YYMMDD-PB-###G): birth date and birthplace code, no check digit.

python-stdnum's ``my.nric`` is the authority; the column kernel mirrors it.
"""

from __future__ import annotations

import pandas as pd
from stdnum.my import nric

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
    two_digit_year_date,
)


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values).str.replace("*", "", regex=False)
    shape = fullmatch(text, r"\d{12}")
    d = digits(char_matrix(text[shape], 12))
    ok = two_digit_year_date(d, 0) & isin(number(d, 6, 8), numdb_codes("my/bp", 2))
    return apply_where(shape, ok)


MY_NRIC = Identifier(
    entity="MY_NRIC",
    category="identifier",
    patterns=(
        (NOT_BEFORE + r"\d{6}-\d{2}-\d{4}" + NOT_AFTER, 0.7),
        (NOT_BEFORE + r"\d{12}" + NOT_AFTER, 0.3),
    ),
    is_valid=nric.is_valid,
    score=0.7,
    valid_mask=valid_mask,
    context={
        "en": ("mykad", "my kad", "malaysian ic", "ic no", "ic number", "nric"),
        "zh": ("大马身份证", "马来西亚身份证", "ic号码"),
        "ms": ("kad pengenalan", "no. kp", "no kp", "nombor kp", "mykad"),
        "id": ("ktp malaysia", "mykad"),
        "th": ("บัตรประชาชนมาเลเซีย",),
        "vi": ("căn cước malaysia",),
        "tl": ("mykad",),
        "columns": ("ic", "kp", "nokp", "no_ic"),
    },
)
