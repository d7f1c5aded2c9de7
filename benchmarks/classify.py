"""Benchmark of silkgate.classify (docs/contracts.md, family ``classify``).

1. A 1,000,000-row x 12-column mixed table (``--quick``: 100,000 rows), written to Parquet
   and classified end-to-end with ``classify_path``: figures ``seconds`` and ``cells_per_s``.
   Baseline in the same run: Presidio's default AnalyzerEngine over a sample of the cells.
2. A generated text corpus in the seven languages with gold labels: micro precision, recall
   and F1 for silkgate and for Presidio's default AnalyzerEngine (blank spaCy pipeline,
   default recognizers) on the same texts.

The last line printed is one JSON object; progress goes to stderr (Rich) without --quick.
"""

# ruff: noqa: E501  (tables of cases and templates read best one case per line)

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import presidio_analyzer
import tldextract
from faker import Faker
from rich.console import Console

from silkgate.classify import BlankSpacyNlpEngine, Classifier

SEED = 20250501
console = Console(stderr=True)

# ---- valid identifiers, from their specifications ------------------------------------------

CN_REGIONS = ("110101", "110102", "110105", "310104")


def _born(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 60))


def cn_id(rng: random.Random) -> str:
    body = rng.choice(CN_REGIONS) + _born(rng).strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    check = (12 - sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def sg_nric(rng: random.Random) -> str:
    series, digits = rng.choice("STFG"), f"{rng.randrange(10**7):07d}"
    total = sum(w * int(c) for w, c in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True))
    total += 4 if series in "TG" else 0
    return series + digits + ("JZIHGFEDCBA" if series in "ST" else "XWUTRQPNMLK")[total % 11]


def th_id(rng: random.Random) -> str:
    body = str(rng.randint(1, 8)) + f"{rng.randrange(10**11):011d}"
    return body + str((11 - sum((13 - i) * int(c) for i, c in enumerate(body)) % 11) % 10)


def my_nric(rng: random.Random) -> str:
    return f"{_born(rng):%y%m%d}-{rng.choice(('01', '08', '10', '14'))}-{rng.randrange(10**4):04d}"


def id_nik(rng: random.Random) -> str:
    born = _born(rng)
    day = born.day + (40 if rng.random() < 0.5 else 0)
    region = rng.choice(("3171", "3273", "5171"))
    return f"{region}{rng.randrange(1, 40):02d}{day:02d}{born:%m%y}{rng.randrange(1, 10**4):04d}"


def vn_id(rng: random.Random) -> str:
    born = _born(rng)
    century = (0 if born.year < 2000 else 2) + rng.randint(0, 1)
    return f"{rng.choice(('001', '079', '048'))}{century}{born:%y}{rng.randrange(10**6):06d}"


def card(rng: random.Random) -> str:
    prefix = rng.choice(("4", "51", "62"))
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    number = body + str((10 - total % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def bad_check(value: str) -> str:
    return value[:-1] + ("0" if value[-1] != "0" else "1")


# ---- the table -------------------------------------------------------------------------------


def make_table(rows: int) -> pd.DataFrame:
    rng, np_rng = random.Random(SEED), np.random.default_rng(SEED)
    pool = 50_000
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    names = np.array([fake.name() for _ in range(2_000)], dtype=object)
    ids = np.array([cn_id(rng) for _ in range(pool)], dtype=object)
    cards = np.array([card(rng).replace(" ", "") for _ in range(pool)], dtype=object)
    who = np_rng.integers(0, pool, rows)
    days = np_rng.integers(0, 365 * 60, rows)
    diagnosis = np.array(["糖尿病", "高血压", "asthma", None, None, None, None], dtype=object)
    return pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "姓名": names[who % len(names)],
            "身份证号": ids[who],
            "email": pd.Series(who).map(lambda i: f"user{i}@example.com"),
            "phone": pd.Series(np_rng.integers(10**7, 10**8 - 1, rows)).map(
                lambda n: f"+65 {8 + n % 2}{str(n)[1:4]} {str(n)[4:]}"
            ),
            "card_no": cards[who],
            "ip_address": pd.Series(np_rng.integers(1, 2**32 - 1, rows)).map(
                lambda n: f"{(n >> 24) % 223 + 1}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            ),
            "date_of_birth": (pd.Timestamp("1950-01-01") + pd.to_timedelta(days, unit="D"))
            .strftime("%Y-%m-%d")
            .to_numpy(),
            "diagnosis": diagnosis[np_rng.integers(0, len(diagnosis), rows)],
            "city": np.array(["Shanghai", "Singapore", "Bangkok", "Hanoi"])[who % 4],
            "amount": np.round(np_rng.gamma(2.0, 50.0, rows), 2),
            "created_at": (pd.Timestamp("2025-01-01") + pd.to_timedelta(days % 365, unit="D"))
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_numpy(),
        }
    )


# ---- the text corpus -------------------------------------------------------------------------

Gold = list[tuple[int, int, str]]


class Builder:
    """Concatenates literal text and labelled entities, recording gold spans."""

    def __init__(self) -> None:
        self.text, self.gold = "", []  # type: ignore[var-annotated]

    def __call__(self, part: str, label: str | None = None) -> Builder:
        if label:
            self.gold.append((len(self.text), len(self.text) + len(part), label))
        self.text += part
        return self


def templates(rng: random.Random, fakers: dict[str, Faker]) -> list[Callable[[], Builder]]:
    def name(loc: str) -> str:
        f = fakers[loc]
        if loc == "zh":
            return f.last_name() + f.first_name()
        if loc == "vi":
            return f"{f.last_name()} {f.middle_name()} {f.first_name()}"
        return f"{f.first_name()} {f.last_name()}"

    def dob() -> date:
        return _born(rng)

    order = lambda: str(rng.randrange(10**5, 10**7))  # noqa: E731
    return [
        lambda: Builder()("客户姓名：")(name("zh"), "PERSON")("，身份证号码")(cn_id(rng), "CN_RESIDENT_ID")
        ("，手机 ")(f"1{rng.choice('358')}{rng.randrange(10**9):09d}", "PHONE_NUMBER")("，订单号 ")(order())("。"),
        lambda: Builder()("患者")(name("zh"), "PERSON")("，出生日期 ")(f"{dob():%Y年%-m月%-d日}", "DATE_OF_BIRTH")
        ("，诊断为高血压，银行卡号 ")(card(rng), "CREDIT_CARD")("，无效证件号 ")(bad_check(cn_id(rng)))("。"),
        lambda: Builder()("Customer name: ")(name("en"), "PERSON")(", NRIC ")(sg_nric(rng), "SG_NRIC_FIN")
        (", email ")(f"{fakers['en'].user_name()}@{fakers['en'].free_email_domain()}", "EMAIL_ADDRESS")
        (", invoice total 1,250.00 due 2025-03-01."),
        lambda: Builder()("Mr ")(name("en"), "PERSON")(" logged in from ")(fakers["en"].ipv4_public(), "IP_ADDRESS")
        (" and paid with card ")(card(rng), "CREDIT_CARD")("; passport no. ")
        (f"E{rng.randrange(10**7, 10**8)}", "PASSPORT")("."),
        lambda: Builder()("Nama: ")(name("ms"), "PERSON")(", No. KP ")(my_nric(rng), "MY_NRIC")(", telefon ")
        (f"+60 1{rng.randint(2, 9)}-{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}", "PHONE_NUMBER")
        (", nombor akaun ")(f"{rng.randrange(10**11, 10**12)}", "BANK_ACCOUNT")(". Rujukan ")(order())("."),
        lambda: Builder()("Encik ")(name("ms"), "PERSON")(" lahir pada ")(f"{dob():%d/%m/%Y}", "DATE_OF_BIRTH")
        (", emel ")(f"{fakers['id'].user_name()}@contoh.com.my", "EMAIL_ADDRESS")(", mesyuarat pada 12/05/2025."),
        lambda: Builder()("Nama lengkap: ")(name("id"), "PERSON")(", NIK ")(id_nik(rng), "ID_NIK")(", tanggal lahir ")
        (f"{dob():%d-%m-%Y}", "DATE_OF_BIRTH")(", nomor rekening ")(f"{rng.randrange(10**9, 10**10)}", "BANK_ACCOUNT")("."),
        lambda: Builder()("Bapak ")(name("id"), "PERSON")(" dapat dihubungi di ")
        (f"+62 81{rng.randint(1, 9)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}", "PHONE_NUMBER")
        (", kartu kredit ")(card(rng), "CREDIT_CARD")(", kode pesanan ")(order())("."),
        lambda: Builder()("ชื่อ ")(name("th"), "PERSON")(" เลขประจำตัวประชาชน ")(th_id(rng), "TH_NATIONAL_ID")
        (" โทร ")(f"08{rng.randint(1, 9)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}", "PHONE_NUMBER")
        (" เลขที่ใบสั่งซื้อ ")(order()),
        lambda: Builder()("คุณ")(name("th"), "PERSON")(" วันเกิด ")(f"{dob():%d/%m/%Y}", "DATE_OF_BIRTH")
        (" อีเมล ")(f"{fakers['en'].user_name()}@example.co.th", "EMAIL_ADDRESS")(" หนังสือเดินทาง ")
        (f"AA{rng.randrange(10**6, 10**7)}", "PASSPORT")(" เลขผิด ")(bad_check(th_id(rng))),
        lambda: Builder()("Họ và tên: ")(name("vi"), "PERSON")(", số CCCD ")(vn_id(rng), "VN_CITIZEN_ID")
        (", sinh ngày ")(f"{dob():%d/%m/%Y}", "DATE_OF_BIRTH")(", số điện thoại ")
        (f"09{rng.randint(0, 9)}{rng.randrange(10**6, 10**7)}", "PHONE_NUMBER")("."),
        lambda: Builder()("Ông ")(name("vi"), "PERSON")(" chuyển khoản từ số tài khoản ")
        (f"{rng.randrange(10**12, 10**13)}", "BANK_ACCOUNT")(", IBAN ")("DE89 3704 0044 0532 0130 00", "IBAN_CODE")
        (", mã đơn ")(order())("."),
        lambda: Builder()("Pangalan: ")(name("tl"), "PERSON")(", PhilSys ")
        ("-".join(f"{rng.randrange(10**4):04d}" for _ in range(4)), "PH_PHILSYS")(", telepono ")
        (f"+63 9{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}", "PHONE_NUMBER")("."),
        lambda: Builder()("Si G. ")(name("tl"), "PERSON")(" ay ipinanganak noong ")
        (f"{dob():%d/%m/%Y}", "DATE_OF_BIRTH")(", pasaporte ")(f"P{rng.randrange(10**6, 10**7)}A", "PASSPORT")
        (", email ")(f"{fakers['tl'].user_name()}@gmail.com", "EMAIL_ADDRESS")(", order ")(order())("."),
    ]  # fmt: skip


def make_corpus(records: int) -> list[tuple[str, Gold]]:
    rng = random.Random(SEED)
    locales = {"zh": "zh_CN", "en": "en_US", "ms": "id_ID", "id": "id_ID", "th": "th_TH",
               "vi": "vi_VN", "tl": "en_PH"}  # fmt: skip
    fakers = {k: Faker(v) for k, v in locales.items()}
    for n, f in enumerate(fakers.values()):
        f.seed_instance(SEED + n)
    makers = templates(rng, fakers)
    return [(b.text, b.gold) for b in (makers[i % len(makers)]() for i in range(records))]


PRESIDIO_TO_SILKGATE = {
    "DATE_TIME": "DATE_OF_BIRTH",
    "US_PASSPORT": "PASSPORT",
    "UK_PASSPORT": "PASSPORT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "TH_TNIN": "TH_NATIONAL_ID",
}


def micro(found: list[set[tuple[int, int, str]]], gold: list[Gold]) -> dict[str, float]:
    tp = sum(len(f & set(g)) for f, g in zip(found, gold, strict=True))
    fp = sum(len(f) for f in found) - tp
    fn = sum(len(g) for g in gold) - tp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def presidio_default() -> presidio_analyzer.AnalyzerEngine:
    # Presidio's EmailRecognizer calls tldextract.extract, which would fetch the suffix list:
    # point it at the bundled snapshot so the baseline runs offline too.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[assignment]
    return presidio_analyzer.AnalyzerEngine(nlp_engine=BlankSpacyNlpEngine("en"))


@contextmanager
def step(label: str, quiet: bool) -> Iterator[None]:
    start = time.perf_counter()
    if quiet:
        yield
    else:
        with console.status(label):
            yield
        console.log(f"{label}: {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows, smaller corpus")
    args = parser.parse_args()
    rows, records = (100_000, 280) if args.quick else (1_000_000, 1_400)
    quiet = args.quick
    classifier = Classifier()

    with step(f"generating {rows:,} x 12 table", quiet):
        table = make_table(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.parquet"
        table.to_parquet(path)
        with step("classifying the table (read + classify)", quiet):
            start = time.perf_counter()
            report = classifier.classify_path(path)
            seconds = time.perf_counter() - start
    cells = rows * table.shape[1]

    baseline_engine = presidio_default()
    sample = [str(v) for v in table.sample(n=200, random_state=SEED).to_numpy().ravel()]
    with step(f"Presidio defaults over {len(sample)} cells", quiet):
        start = time.perf_counter()
        for cell in sample:
            baseline_engine.analyze(text=cell, language="en")
        baseline_cells_per_s = len(sample) / (time.perf_counter() - start)

    corpus = make_corpus(records)
    gold = [g for _, g in corpus]
    with step(f"silkgate over {records} texts", quiet):
        ours = [{(e.start, e.end, e.type) for e in classifier.analyze(text)} for text, _ in corpus]
    with step(f"Presidio defaults over {records} texts", quiet):
        theirs = [
            {
                (r.start, r.end, PRESIDIO_TO_SILKGATE.get(r.entity_type, r.entity_type))
                for r in baseline_engine.analyze(text=text, language="en")
            }
            for text, _ in corpus
        ]
    ours_score, theirs_score = micro(ours, gold), micro(theirs, gold)
    if not quiet:
        console.log({"table": report.model_dump(mode="json")})

    result = {
        "benchmark": "classify",
        "figures": {
            "seconds": round(seconds, 3),
            "rows": rows,
            "columns": int(table.shape[1]),
            "cells_per_s": round(cells / seconds),
            "text_f1": round(ours_score["f1"], 4),
            "text_precision": round(ours_score["precision"], 4),
            "text_recall": round(ours_score["recall"], 4),
            "text_records": records,
            "subjects": report.subjects,
            "sensitive_subjects": report.sensitive_subjects,
        },
        "baseline": {
            "text_f1": round(theirs_score["f1"], 4),
            "text_precision": round(theirs_score["precision"], 4),
            "text_recall": round(theirs_score["recall"], 4),
            "presidio_cells_per_s": round(baseline_cells_per_s, 1),
        },
        "ratio": round(ours_score["f1"] / theirs_score["f1"], 2) if theirs_score["f1"] else None,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "presidio_analyzer": metadata.version("presidio-analyzer"),
    }
    print(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
