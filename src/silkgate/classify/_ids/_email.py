"""Email addresses: Presidio's email pattern, with the domain's public suffix checked
offline against the Public Suffix List snapshot bundled in tldextract (never fetched).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from silkgate.classify._identifier import Identifier
from silkgate.classify._vector import BoolArray

_PATTERN = EmailRecognizer.PATTERNS[0].regex
_SHAPE = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"


@cache
def _extractor() -> tldextract.TLDExtract:
    # no suffix_list_urls and no cache: the bundled snapshot only, no network, no disk
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def has_public_suffix(domain: str) -> bool:
    return bool(_extractor()(domain).suffix)


def is_valid(value: str) -> bool:
    return re.fullmatch(_SHAPE, value) is not None and has_public_suffix(value.split("@")[-1])


def valid_mask(values: pd.Series) -> BoolArray:
    text = values.astype("string").str.strip()
    shape = np.array(text.str.fullmatch(_SHAPE).fillna(False), dtype=bool)
    domains = text[shape].str.replace(r"^.*@", "", regex=True).str.lower()
    known = {d for d in domains.unique() if has_public_suffix(str(d))}
    out = shape.copy()
    out[shape] = np.array(domains.isin(known), dtype=bool)
    return out


EMAIL_ADDRESS = Identifier(
    entity="EMAIL_ADDRESS",
    category="contact",
    patterns=(_PATTERN,),
    is_valid=is_valid,
    score=1.0,
    valid_mask=valid_mask,
    compact=str.strip,
    context={
        "en": ("email", "e-mail"),
        "zh": ("邮箱", "电子邮件", "邮件"),
        "ms": ("emel",),
        "id": ("surel", "email"),
        "th": ("อีเมล",),
        "vi": ("thư điện tử", "email"),
        "tl": ("email",),
        "columns": ("mail",),
    },
)
