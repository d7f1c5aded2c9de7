"""Phone numbers of every region (Google's libphonenumber metadata, via ``phonenumbers``).

Text: ``PhoneNumberMatcher`` with leniency VALID for each default region. Columns: each
row against the national-number patterns of the same metadata, at once.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult

from silkgate.classify._identifier import Identifier
from silkgate.classify._types import LANGUAGE
from silkgate.classify._vector import BoolArray, fullmatch

# regions whose national (no +country code) numbers are recognised; international numbers
# of every region are recognised whatever this list says
REGIONS = ("CN", "SG", "MY", "TH", "VN", "ID", "PH", "BN", "KH", "LA", "MM", "US", "GB", "HK")


# written like a phone number: digits, spaces, dashes, brackets, a leading + (no dots, so
# no IP addresses), and not a date
_SHAPE = r"\+?[\d\s()-]{7,24}"
_DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}"


def is_valid(value: str) -> bool:
    if re.fullmatch(_SHAPE, value) is None or re.fullmatch(_DATE, value) is not None:
        return False
    regions = (None,) if value.startswith("+") else REGIONS
    for region in regions:
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False


@cache
def _column_pattern() -> str:
    international, national = [], []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        desc = meta.general_desc if meta is not None else None
        if meta is None or desc is None or desc.national_number_pattern is None:
            continue
        body = desc.national_number_pattern
        international.append(f"{meta.country_code}(?:{body})")
        if region in REGIONS:
            prefix = meta.national_prefix or ""
            national.append(f"(?:{prefix})?(?:{body})" if prefix else f"(?:{body})")
    return rf"\+(?:{'|'.join(international)})|{'|'.join(national)}"


def valid_mask(values: pd.Series) -> BoolArray:
    raw = values.astype("string").str.strip()
    shaped = fullmatch(raw, _SHAPE) & ~fullmatch(raw, _DATE)
    text = raw.str.replace(r"[\s\-()]", "", regex=True).str.replace(r"^00", "+", regex=True)
    return shaped & fullmatch(text, _column_pattern())


class PhoneMatcherRecognizer(EntityRecognizer):
    """Phone numbers in text; international ones score higher than national ones."""

    def __init__(self, identifier: Identifier) -> None:
        super().__init__(
            supported_entities=[identifier.entity],
            name=f"silkgate:{identifier.entity}",
            supported_language=LANGUAGE,
            context=list(identifier.words),
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: object = None
    ) -> list[RecognizerResult]:
        entity = self.supported_entities[0]
        spans: dict[tuple[int, int], float] = {}
        for region in REGIONS:
            leniency = phonenumbers.Leniency.VALID
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                score = 0.7 if match.raw_string.startswith("+") else 0.45
                spans[match.start, match.end] = max(score, spans.get((match.start, match.end), 0))
        return [
            RecognizerResult(
                self.supported_entities[0],
                start,
                end,
                score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: f"silkgate:{entity}",
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for (start, end), score in spans.items()
        ]


PHONE_NUMBER = Identifier(
    entity="PHONE_NUMBER",
    category="contact",
    patterns=(r"\+?\d[\d\s().-]{6,}\d",),
    is_valid=is_valid,
    score=0.45,
    valid_mask=valid_mask,
    compact=lambda value: value.strip(),
    make_recognizer=PhoneMatcherRecognizer,
    context={
        "en": ("phone", "mobile", "tel", "call", "contact number", "cell"),
        "zh": ("电话", "手机", "联系方式", "联系电话"),
        "ms": ("telefon", "no. tel", "nombor telefon", "bimbit"),
        "id": ("telepon", "telp", "nomor hp", "no. hp", "ponsel"),
        "th": ("โทร", "เบอร์", "โทรศัพท์", "มือถือ"),
        "vi": ("điện thoại", "sđt", "số điện thoại", "di động"),
        "tl": ("telepono", "numero", "cellphone", "cp no"),
        "columns": ("msisdn", "hp", "handphone"),
    },
)
