"""Payment card numbers: 13 to 19 digits, a known issuer prefix (Visa, Mastercard, Amex,
JCB, Discover, Diners, UnionPay 62), and the Luhn check (python-stdnum's ``luhn``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from stdnum import luhn

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import BoolArray, char_matrix, compact, digits, fullmatch

# issuer prefixes with the lengths each issues (no lookarounds: the column kernel runs on RE2)
SHAPE = (
    r"4\d{12}(?:\d{3}(?:\d{3})?)?|(?:5[1-5]|2[2-7])\d{14}|3[47]\d{13}"
    r"|3[0689]\d{12}(?:\d{2}(?:\d{3})?)?|(?:35|65|62|81)\d{14,17}|6011\d{12,15}|64[4-9]\d{13,16}"
)


def is_valid(value: str) -> bool:
    return re.fullmatch(SHAPE, value) is not None and bool(luhn.is_valid(value))


def valid_mask(values: pd.Series) -> BoolArray:
    text = compact(values)
    out = fullmatch(text, SHAPE)
    lengths = np.array(text.str.len().fillna(0), dtype=np.int64)
    for length in np.unique(lengths[out]):
        rows = out & (lengths == length)
        d = digits(char_matrix(text[rows], int(length)))[:, ::-1]
        doubled = d[:, 1::2] * 2
        total = d[:, 0::2].sum(axis=1) + (doubled // 10 + doubled % 10).sum(axis=1)
        out[rows] = total % 10 == 0
    return out


CREDIT_CARD = Identifier(
    entity="CREDIT_CARD",
    category="financial_account",
    patterns=(NOT_BEFORE + r"\d{4}(?:[ -]?\d{3,4}){2,3}(?:[ -]?\d{1,3})?" + NOT_AFTER,),
    is_valid=is_valid,
    score=0.8,
    checksum=True,
    valid_mask=valid_mask,
    context={
        "en": ("credit card", "debit card", "card number", "card no", "visa", "mastercard"),
        "zh": ("信用卡", "银行卡", "卡号", "银联", "借记卡"),
        "ms": ("kad kredit", "kad debit", "nombor kad"),
        "id": ("kartu kredit", "kartu debit", "nomor kartu"),
        "th": ("บัตรเครดิต", "หมายเลขบัตร", "บัตรเดบิต"),
        "vi": ("thẻ tín dụng", "số thẻ", "thẻ ghi nợ"),
        "tl": ("credit card", "numero ng card", "tarheta"),
    },
)
