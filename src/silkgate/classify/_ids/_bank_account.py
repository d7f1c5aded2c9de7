"""Bank account numbers: 8 to 20 digits, in groups at times. Domestic account numbers carry
no common check digit, so one counts in text only next to a context word, and in tables
only in a column named for it.
"""

from __future__ import annotations

import re

import pandas as pd

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier
from silkgate.classify._vector import BoolArray, compact, fullmatch


def is_valid(value: str) -> bool:
    return re.fullmatch(r"\d{8,20}", value) is not None


def valid_mask(values: pd.Series) -> BoolArray:
    return fullmatch(compact(values), r"\d{8,20}")


BANK_ACCOUNT = Identifier(
    entity="BANK_ACCOUNT",
    category="financial_account",
    patterns=(NOT_BEFORE + r"\d{3,6}(?:[ -]?\d{2,8}){1,3}" + NOT_AFTER,),
    is_valid=is_valid,
    score=0.15,
    valid_mask=valid_mask,
    needs_column_hint=True,
    context={
        "en": ("bank account", "account number", "account no", "acct"),
        "zh": ("银行账号", "银行账户", "账号", "帐号", "开户行"),
        "ms": ("akaun bank", "nombor akaun", "no akaun", "no. akaun"),
        "id": ("rekening", "nomor rekening", "no. rek", "no rek"),
        "th": ("บัญชีธนาคาร", "เลขที่บัญชี", "เลขบัญชี"),
        "vi": ("số tài khoản", "tài khoản ngân hàng", "stk"),
        "tl": ("bank account", "numero ng account", "account sa bangko"),
        "columns": ("account", "iban"),
    },
)
