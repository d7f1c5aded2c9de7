"""Realistic sample datasets per demo party, written as Parquet or CSV.

Each subject appears in one or more rows (visits, claims, parcels, payments), so the
distinct-subject counts that `assess` reads differ from the row counts, as in real data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from faker import Faker

from silkgate.demo._identifiers import (
    card_numbers,
    cn_resident_ids,
    sg_nrics,
    th_national_ids,
    vn_citizen_ids,
)
from silkgate.domain import Column, ColumnType, DataCategory, Dataset, Party, grade_of


@dataclass(frozen=True, slots=True)
class Sample:
    """A generated dataset: the file, its declared description, and who it is about."""

    dataset: Dataset
    path: Path


_ICD10 = (
    ("E11.9", "2型糖尿病"), ("I10", "原发性高血压"), ("J45.9", "哮喘"), ("K29.7", "胃炎"),
    ("C34.9", "肺恶性肿瘤"), ("B18.1", "慢性乙型病毒性肝炎"), ("N18.3", "慢性肾病3期"),
    ("F32.9", "抑郁发作"), ("M54.5", "腰痛"), ("J18.9", "肺炎"),
)  # fmt: skip
ICD10_CODES: tuple[str, ...] = tuple(code for code, _name in _ICD10)
_SG_CLAIMS = ("Outpatient", "Inpatient", "Dental", "Maternity", "Specialist", "Physiotherapy")
_VN_GOODS = ("electronics", "garments", "seafood", "coffee", "rubber", "furniture", "rice")
_TH_MERCHANTS = ("7-Eleven", "Central World", "Grab", "Lazada", "Shopee", "PTT Station", "Big C")


_POOL = 2_000


def _pooled(make: Callable[[], str], rng: np.random.Generator, count: int) -> list[str]:
    """``count`` values of ``make()``; past ``_POOL`` drawn from a pool (Faker is slow, and
    names repeat in any large population)."""
    pool = [make() for _ in range(min(count, _POOL))]
    if count <= len(pool):
        return pool
    return [pool[i] for i in rng.integers(0, len(pool), size=count)]


def _names(fake: Faker, rng: np.random.Generator, count: int) -> list[str]:
    return _pooled(fake.name, rng, count)


def _visits(rng: np.random.Generator, rows: int, mean_per_subject: float) -> npt.NDArray[np.int64]:
    """Row → subject index: ``rows / mean_per_subject`` subjects, each in at least one row."""
    subjects = min(rows, max(1, round(rows / mean_per_subject)))
    extra = rng.integers(0, subjects, size=rows - subjects)
    return np.sort(np.concatenate([np.arange(subjects), extra]))


def _dates(rng: np.random.Generator, count: int, start: str, days: int) -> pd.Series:
    base = pd.Timestamp(start)
    return pd.Series(base + pd.to_timedelta(rng.integers(0, days, size=count), unit="D"))


def cn_patients(fake: Faker, rng: np.random.Generator, rows: int) -> pd.DataFrame:
    """A regional extract of outpatient visits: most patients come once in the period."""
    who = _visits(rng, rows, 1.25)
    people = int(who.max()) + 1
    ids = cn_resident_ids(rng, people)
    names = _names(fake, rng, people)
    carriers = rng.choice(["13", "15", "17", "18", "19"], size=people)
    numbers = rng.integers(0, 10**9, size=people)
    phones = [f"{c}{n:09d}" for c, n in zip(carriers, numbers, strict=True)]
    diag = rng.integers(0, len(_ICD10), size=rows)
    return pd.DataFrame(
        {
            "姓名": [names[i] for i in who],
            "身份证号": [ids[i] for i in who],
            "手机号": [phones[i] for i in who],
            "就诊日期": _dates(rng, rows, "2025-01-01", 600).dt.date,
            "诊断编码": [_ICD10[d][0] for d in diag],
            "诊断": [_ICD10[d][1] for d in diag],
            "费用_元": np.round(rng.gamma(2.0, 450.0, size=rows), 2),
            "城市": rng.choice(["南宁", "柳州", "桂林", "北海", "玉林"], size=rows),
        }
    )


def sg_claims(fake: Faker, rng: np.random.Generator, rows: int) -> pd.DataFrame:
    who = _visits(rng, rows, 1.8)
    people = int(who.max()) + 1
    nrics = sg_nrics(rng, people)
    names = _names(fake, rng, people)
    emails = [
        f"{user}{n:02d}@{domain}"
        for (user, _at, domain), n in zip(
            (e.partition("@") for e in _pooled(fake.free_email, rng, people)),
            rng.integers(0, 100, size=people),
            strict=True,
        )
    ]
    phones = [f"+65 {rng.choice([8, 9])}{rng.integers(0, 10**7):07d}" for _ in range(people)]
    births = _dates(rng, people, "1950-01-01", 365 * 55).dt.date.tolist()
    return pd.DataFrame(
        {
            "nric": [nrics[i] for i in who],
            "full_name": [names[i] for i in who],
            "email": [emails[i] for i in who],
            "mobile": [phones[i] for i in who],
            "date_of_birth": [births[i] for i in who],
            "claim_type": rng.choice(_SG_CLAIMS, size=rows),
            "diagnosis_code": rng.choice([c for c, _ in _ICD10], size=rows),
            "amount_sgd": np.round(rng.gamma(1.5, 380.0, size=rows), 2),
            "claim_date": _dates(rng, rows, "2025-06-01", 400).dt.date,
        }
    )


def vn_shipments(fake: Faker, rng: np.random.Generator, rows: int) -> pd.DataFrame:
    who = _visits(rng, rows, 3.0)
    people = int(who.max()) + 1
    ids = vn_citizen_ids(rng, people)
    names = _names(fake, rng, people)
    phones = _pooled(fake.phone_number, rng, people)
    return pd.DataFrame(
        {
            "ho_ten": [names[i] for i in who],
            "so_cccd": [ids[i] for i in who],
            "so_dien_thoai": [phones[i] for i in who],
            "hang_hoa": rng.choice(_VN_GOODS, size=rows),
            "can_nang_kg": np.round(rng.lognormal(2.0, 1.0, size=rows), 1),
            "diem_den": rng.choice(["CN", "TH", "LA", "KH", "SG", "MY"], size=rows),
            "vi_do": np.round(rng.uniform(8.5, 23.4, size=rows), 5),
            "kinh_do": np.round(rng.uniform(102.1, 109.5, size=rows), 5),
            "ngay_gui": _dates(rng, rows, "2025-09-01", 300).dt.date,
        }
    )


def th_payments(fake: Faker, rng: np.random.Generator, rows: int) -> pd.DataFrame:
    who = _visits(rng, rows, 4.0)
    people = int(who.max()) + 1
    ids = th_national_ids(rng, people)
    names = _names(fake, rng, people)
    cards = card_numbers(rng, people)
    return pd.DataFrame(
        {
            "ชื่อ": [names[i] for i in who],
            "เลขประจำตัวประชาชน": [ids[i] for i in who],
            "card_number": [cards[i] for i in who],
            "merchant": rng.choice(_TH_MERCHANTS, size=rows),
            "amount_thb": np.round(rng.gamma(1.2, 900.0, size=rows), 2),
            "paid_at": _dates(rng, rows, "2026-01-01", 300),
        }
    )


@dataclass(frozen=True, slots=True)
class SampleSpec:
    party_id: str
    dataset_id: str
    name: str
    locale: str
    fmt: str
    make: Callable[[Faker, np.random.Generator, int], pd.DataFrame]
    subject_column: str
    sensitive: bool
    categories: dict[str, DataCategory]


SPECS: tuple[SampleSpec, ...] = (
    SampleSpec("cn-gxic", "cn-gxic-outpatients", "Outpatient visits, Guangxi", "zh_CN", "parquet",
               cn_patients, "身份证号", True,
               {"姓名": "personal", "身份证号": "identifier", "手机号": "contact",
                "就诊日期": "health", "诊断编码": "health", "诊断": "health"}),
    SampleSpec("sg-lionhealth", "sg-lionhealth-claims", "Health insurance claims", "en_US", "csv",
               sg_claims, "nric", True,
               {"nric": "identifier", "full_name": "personal", "email": "contact",
                "mobile": "contact", "date_of_birth": "demographic",
                "diagnosis_code": "health", "claim_type": "health"}),
    SampleSpec("vn-mekonglog", "vn-mekonglog-shipments", "Cross-border parcel manifests", "vi_VN",
               "csv", vn_shipments, "so_cccd", True,
               {"ho_ten": "personal", "so_cccd": "identifier", "so_dien_thoai": "contact",
                "vi_do": "whereabouts", "kinh_do": "whereabouts"}),
    SampleSpec("th-siampay", "th-siampay-card-payments", "Card payments", "th_TH", "parquet",
               th_payments, "เลขประจำตัวประชาชน", True,
               {"ชื่อ": "personal", "เลขประจำตัวประชาชน": "identifier",
                "card_number": "financial_account"}),
)  # fmt: skip


def _column_type(series: pd.Series) -> ColumnType:
    kind = series.dtype.kind
    if kind in "iu":
        return "integer"
    if kind == "f":
        return "float"
    if kind == "M":
        return "datetime"
    if kind == "b":
        return "boolean"
    first = series.iloc[0] if len(series) else None
    return "date" if isinstance(first, dt.date) else "string"


def write_sample(spec: SampleSpec, party: Party, directory: Path, rows: int, seed: int) -> Sample:
    """Generate ``rows`` rows for ``spec``, write them under ``directory`` and describe them."""
    fake = Faker(spec.locale)
    fake.seed_instance(seed)
    frame = spec.make(fake, np.random.default_rng(seed), rows)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{spec.dataset_id}.{spec.fmt}"
    tmp = path.with_suffix(path.suffix + ".tmp")
    if spec.fmt == "parquet":
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_csv(tmp, index=False)
    tmp.replace(path)
    subjects = int(frame[spec.subject_column].nunique())
    categories = frozenset(spec.categories.values())
    with path.open("rb") as content:
        content_hash = hashlib.file_digest(content, "sha256").hexdigest()
    dataset = Dataset(
        id=spec.dataset_id,
        name=spec.name,
        owner=party.id,
        location=party.jurisdiction,
        format="parquet" if spec.fmt == "parquet" else "csv",
        columns=tuple(
            Column(name=str(c), type=_column_type(frame[c]), category=spec.categories.get(str(c)))
            for c in frame.columns
        ),
        rows=len(frame),
        subjects=subjects,
        sensitive_subjects=subjects if spec.sensitive else 0,
        categories=categories,
        grade=grade_of(categories),
        content_hash=content_hash,
    )
    return Sample(dataset=dataset, path=path)
