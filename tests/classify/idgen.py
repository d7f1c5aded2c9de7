"""Valid identifiers generated from their published specifications, independently of
silkgate's validators (tests compare the two)."""

from __future__ import annotations

import random
from datetime import date, timedelta

CN_REGIONS = ("110101", "110102", "110105", "310104")  # assigned throughout 1950-2010
NIK_REGIONS = ("3171", "3273", "1101", "5171", "3578")
MY_PLACES = ("01", "05", "08", "10", "14")


def _birth(rng: random.Random, start: int = 1950, end: int = 2010) -> date:
    first = date(start, 1, 1)
    return first + timedelta(days=rng.randrange((date(end, 12, 31) - first).days))


def cn_resident_id(rng: random.Random) -> str:
    body = rng.choice(CN_REGIONS) + _birth(rng).strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def sg_nric(rng: random.Random) -> str:
    series = rng.choice("STFGM")
    digits = f"{rng.randrange(10**7):07d}"
    total = sum(w * int(c) for w, c in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True))
    total += {"S": 0, "F": 0, "T": 4, "G": 4, "M": 3}[series]
    if series == "M":
        letter = "KLJNPQRTUWX"[10 - total % 11]
    elif series in "ST":
        letter = "JZIHGFEDCBA"[total % 11]
    else:
        letter = "XWUTRQPNMLK"[total % 11]
    return series + digits + letter


def th_national_id(rng: random.Random) -> str:
    body = str(rng.randint(1, 8)) + f"{rng.randrange(10**11):011d}"
    total = sum((13 - i) * int(c) for i, c in enumerate(body))
    return body + str((11 - total % 11) % 10)


def my_nric(rng: random.Random) -> str:
    born = _birth(rng)
    return born.strftime("%y%m%d") + rng.choice(MY_PLACES) + f"{rng.randrange(10**4):04d}"


def id_nik(rng: random.Random) -> str:
    born = _birth(rng)
    day = born.day + (40 if rng.random() < 0.5 else 0)
    return (
        rng.choice(NIK_REGIONS)
        + f"{rng.randrange(1, 40):02d}"
        + f"{day:02d}{born:%m%y}"
        + f"{rng.randrange(1, 10**4):04d}"
    )


def vn_citizen_id(rng: random.Random) -> str:
    born = _birth(rng)
    century = 0 if born.year < 2000 else 2
    sex = rng.randint(0, 1)
    province = rng.choice(("001", "079", "048", "031", "092"))
    return f"{province}{century + sex}{born:%y}{rng.randrange(10**6):06d}"


def credit_card(rng: random.Random) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("62", 16), ("62", 19), ("37", 15)))
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def ph_philsys(rng: random.Random) -> str:
    d = f"{rng.randrange(10**15, 10**16)}"
    return f"{d[:4]}-{d[4:8]}-{d[8:12]}-{d[12:]}"


def corrupt_last(value: str, alphabet: str = "0123456789") -> str:
    """The value with its last character replaced by another of ``alphabet``."""
    return value[:-1] + next(c for c in alphabet if c != value[-1])
