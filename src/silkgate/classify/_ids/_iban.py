"""IBAN: country code, ISO 7064 mod 97-10 check digits and the country's BBAN format
(python-stdnum's ``iban``, checked once per distinct value in a column).
"""

from __future__ import annotations

from stdnum import iban

from silkgate.classify._identifier import NOT_AFTER, NOT_BEFORE, Identifier

IBAN_CODE = Identifier(
    entity="IBAN_CODE",
    category="financial_account",
    patterns=(NOT_BEFORE + r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}" + NOT_AFTER,),
    is_valid=iban.is_valid,
    score=1.0,
    checksum=True,
    context={
        "en": ("iban",),
        "zh": ("国际银行账号",),
        "ms": ("iban",),
        "id": ("iban",),
        "th": ("iban",),
        "vi": ("iban",),
        "tl": ("iban",),
    },
)
