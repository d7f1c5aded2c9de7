"""Valid national identifiers for sample data, check digits from python-stdnum where it has them."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
from stdnum import luhn
from stdnum.cn import ric as cn_ric
from stdnum.exceptions import ValidationError
from stdnum.th import pin as th_pin

# County codes of Guangxi (45xxxx) that exist across the birth years generated below.
_GX_COUNTIES = (
    "450102",
    "450103",
    "450105",
    "450107",
    "450202",
    "450203",
    "450204",
    "450205",
    "450302",
    "450303",
    "450304",
    "450305",
    "450311",
    "450502",
    "450503",
    "450902",
)


@functools.cache
def _county_years() -> tuple[tuple[str, int], ...]:
    """(county, birth year) pairs stdnum accepts: the county existed in that year."""
    pairs = []
    for county in _GX_COUNTIES:
        for year in range(1950, 2005):
            try:
                cn_ric.get_birth_place(f"{county}{year}01010000")
            except ValidationError:
                continue
            pairs.append((county, year))
    return tuple(pairs)


def cn_resident_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct GB 11643 numbers of people born in Guangxi counties that existed then."""
    pairs = _county_years()
    ids: set[str] = set()
    found: list[str] = []
    while len(found) < count:
        wanted = count - len(found)
        picks = rng.integers(0, len(pairs), size=wanted)
        days = rng.integers(0, 365, size=wanted)
        serials = rng.integers(0, 1000, size=wanted)
        for pick, day, serial in zip(picks, days, serials, strict=True):
            county, year = pairs[pick]
            born = dt.date(year, 1, 1) + dt.timedelta(days=int(day))
            body = f"{county}{born:%Y%m%d}{int(serial):03d}"
            number = body + cn_ric.calc_check_digit(body + "0")  # it skips the last digit
            if number not in ids:
                ids.add(number)
                found.append(number)
    return found


# Singapore NRIC/FIN check letters (S/T and F/G series); stdnum has no Singapore NRIC module.
_SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_SG_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}
_SG_OFFSET = {"S": 0, "T": 4, "F": 0, "G": 4}
# Province codes of Viet Nam's 12-digit citizen identity numbers (a representative subset).
VN_PROVINCES = ("001", "031", "048", "079", "092", "038", "046", "056", "075", "080")


def sg_nric(prefix: str, digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, _SG_WEIGHTS, strict=True)) + _SG_OFFSET[prefix]
    return f"{prefix}{digits}{_SG_LETTERS[prefix][total % 11]}"


def sg_nrics(rng: np.random.Generator, count: int) -> list[str]:
    prefixes = rng.choice(["S", "T", "F", "G"], size=count, p=[0.45, 0.35, 0.12, 0.08])
    numbers = rng.integers(0, 10_000_000, size=count)
    return [sg_nric(str(p), f"{n:07d}") for p, n in zip(prefixes, numbers, strict=True)]


def vn_citizen_ids(rng: np.random.Generator, count: int) -> list[str]:
    provinces = rng.choice(VN_PROVINCES, size=count)
    years = rng.integers(1950, 2008, size=count)
    female = rng.integers(0, 2, size=count)
    serial = rng.integers(0, 1_000_000, size=count)
    ids = []
    for province, year, is_female, number in zip(provinces, years, female, serial, strict=True):
        century_sex = (0 if year < 2000 else 2) + int(is_female)
        ids.append(f"{province}{century_sex}{year % 100:02d}{number:06d}")
    return ids


def th_national_ids(rng: np.random.Generator, count: int) -> list[str]:
    ids = []
    for body in rng.integers(10**11, 9 * 10**11, size=count):
        twelve = f"{rng.integers(1, 9)}{body:012d}"[:12]
        number = twelve + th_pin.calc_check_digit(twelve)
        ids.append(f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}")
    return ids


def card_numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Visa, Mastercard and UnionPay (62) numbers with a valid Luhn digit."""
    prefixes = rng.choice(["4", "51", "55", "62"], size=count, p=[0.35, 0.15, 0.15, 0.35])
    numbers = []
    for prefix in prefixes:
        body = str(prefix) + "".join(str(d) for d in rng.integers(0, 10, size=15 - len(prefix)))
        numbers.append(body + luhn.calc_check_digit(body))
    return numbers
