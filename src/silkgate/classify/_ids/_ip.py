"""IP addresses, version 4 and 6 (``ipaddress`` decides)."""

from __future__ import annotations

import ipaddress

import numpy as np
import pandas as pd

from silkgate.classify._identifier import Identifier
from silkgate.classify._vector import BoolArray

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_HEX = r"[0-9A-Fa-f]{1,4}"
_V6 = rf"(?:{_HEX}:){{2,7}}{_HEX}|(?:{_HEX}:){{1,7}}:(?:{_HEX}(?::{_HEX}){{0,5}})?"


def is_valid(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def valid_mask(values: pd.Series) -> BoolArray:
    text = values.astype("string").str.strip()
    out = np.array(text.str.fullmatch(_V4).fillna(False), dtype=bool)
    v6 = np.array(text.str.contains(":", regex=False).fillna(False), dtype=bool)
    if v6.any():
        valid = {v for v in text[v6].unique() if is_valid(str(v))}
        out |= v6 & np.array(text.isin(valid).fillna(False), dtype=bool)
    return out


IP_ADDRESS = Identifier(
    entity="IP_ADDRESS",
    category="online_identifier",
    patterns=(
        r"(?<![\d.])" + _V4 + r"(?![\d.]*\d)",
        r"(?<![0-9A-Fa-f:])(?:" + _V6 + r")(?![0-9A-Fa-f:])",
    ),
    is_valid=is_valid,
    score=0.6,
    valid_mask=valid_mask,
    subject=False,
    compact=str.strip,
    context={
        "en": ("ip", "ip address"),
        "zh": ("ip地址", "地址"),
        "ms": ("alamat ip",),
        "id": ("alamat ip",),
        "th": ("ที่อยู่ไอพี",),
        "vi": ("địa chỉ ip",),
        "tl": ("ip address",),
    },
)
