"""Thailand national identification number: 13 digits, mod-11 check digit.

python-stdnum's ``th.pin`` is the authority; the column kernel mirrors it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from stdnum.th import pin

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import (
    BoolArray,
    apply_where,
    char_matrix,
    compact,
    digits,
    fullmatch,
)

_WEIGHTS = np.array([2 - i for i in range(12)], dtype=np.int64)


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    shape = fullmatch(text, r"[1-8]\d{12}")
    d = digits(char_matrix(text[shape], 13))
    check = (1 - (d[:, :12] @ _WEIGHTS) % 11) % 10
    return apply_where(shape, check == d[:, 12])


TH_NATIONAL_ID = Identifier(
    entity="TH_NATIONAL_ID",
    category="identifier",
    patterns=(
        NOT_BEFORE + r"[1-8]-?\d{4}-?\d{5}-?\d{2}-?\d" + NOT_AFTER,
        NOT_BEFORE + r"[1-8] \d{4} \d{5} \d{2} \d" + NOT_AFTER,
    ),
    is_valid=pin.is_valid,
    score=0.85,
    checksum=True,
    valid_mask=valid_mask,
    context={
        "en": ("thai id", "national id", "citizen id", "id card"),
        "zh": ("泰国身份证",),
        "ms": ("kad pengenalan thailand",),
        "id": ("ktp thailand",),
        "th": ("เลขประจำตัวประชาชน", "บัตรประชาชน", "เลขบัตร"),
        "vi": ("căn cước thái lan",),
        "tl": ("thai id",),
        "columns": ("pin", "citizen_id"),
    },
)
