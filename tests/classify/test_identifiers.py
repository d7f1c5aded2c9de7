"""Each identifier in text: valid, wrong check digit, inside sentences of several languages,
empty; and property tests of every validator against values generated from the spec."""

# ruff: noqa: E501  (tables of cases and templates read best one case per line)

from __future__ import annotations

import random
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.id import nik
from stdnum.my import nric
from stdnum.th import pin

from silkgate.classify import BUILTIN_IDENTIFIERS, Classifier, Identifier

from . import idgen

BY_ENTITY = {i.entity: i for i in BUILTIN_IDENTIFIERS}


def found(classifier: Classifier, text: str) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in classifier.analyze(text)]


CASES = [
    # China resident ID
    pytest.param("11010519491231002X", [("CN_RESIDENT_ID", "11010519491231002X")], id="cn-valid"),
    pytest.param("110105194912310021", [], id="cn-checksum-bad"),
    pytest.param("身份证号码：11010519491231002X。", [("CN_RESIDENT_ID", "11010519491231002X")], id="cn-sentence-zh"),
    pytest.param("Resident ID 11010519491231002X on file", [("CN_RESIDENT_ID", "11010519491231002X")], id="cn-sentence-en"),
    pytest.param("110105194913310025", [], id="cn-date-bad"),
    # Singapore NRIC/FIN
    pytest.param("S1234567D", [("SG_NRIC_FIN", "S1234567D")], id="sg-valid"),
    pytest.param("M1234567K", [("SG_NRIC_FIN", "M1234567K")], id="sg-m-series"),
    pytest.param("S1234567A", [], id="sg-checksum-bad"),
    pytest.param("M1234567N", [], id="sg-m-old-algorithm"),
    pytest.param("Nombor NRIC saya S1234567D ya", [("SG_NRIC_FIN", "S1234567D")], id="sg-sentence-ms"),
    pytest.param("新加坡身份证S1234567D已验证", [("SG_NRIC_FIN", "S1234567D")], id="sg-sentence-zh"),
    # Malaysia MyKad
    pytest.param("No. KP: 900101-14-5678", [("MY_NRIC", "900101-14-5678")], id="my-valid"),
    pytest.param("No. KP: 901301-14-5678", [], id="my-date-bad"),
    pytest.param("No. KP: 900101-00-5678", [], id="my-place-bad"),
    pytest.param("Kad pengenalan 900101145678 diterima", [("MY_NRIC", "900101145678")], id="my-sentence-ms"),
    pytest.param("ref 900101145678", [], id="my-no-context"),
    # Thailand
    pytest.param("เลขประจำตัวประชาชน 1101700230708", [("TH_NATIONAL_ID", "1101700230708")], id="th-sentence-th"),
    pytest.param("1101700230705", [], id="th-checksum-bad"),
    pytest.param("Thai ID 1-1017-00230-70-8", [("TH_NATIONAL_ID", "1-1017-00230-70-8")], id="th-dashed"),
    # Vietnam
    pytest.param("Số CCCD: 001090012345", [("VN_CITIZEN_ID", "001090012345")], id="vn-sentence-vi"),
    pytest.param("Số CCCD: 003090012345", [], id="vn-province-bad"),
    pytest.param("Số CMND 012345678 cấp năm 2010", [("VN_CITIZEN_ID", "012345678")], id="vn-old-9-digit"),
    pytest.param("order 001090012345", [], id="vn-no-context"),
    # Indonesia
    pytest.param("NIK 3171014101900001", [("ID_NIK", "3171014101900001")], id="id-valid"),
    pytest.param("NIK 3171013201900001", [], id="id-date-bad"),
    pytest.param("NIK 9999014101900001", [], id="id-region-bad"),
    # Philippines
    pytest.param("PhilSys number 1234-5678-9012-3456", [("PH_PHILSYS", "1234-5678-9012-3456")], id="ph-pcn"),
    pytest.param("Ang aking PSN ay 1234-5678-9012", [("PH_PHILSYS", "1234-5678-9012")], id="ph-psn-tl"),
    # passports, cards, IBAN
    pytest.param("护照号码 E12345678", [("PASSPORT", "E12345678")], id="passport-zh"),
    pytest.param("code E12345678", [], id="passport-no-context"),
    pytest.param("Visa 4111 1111 1111 1111", [("CREDIT_CARD", "4111 1111 1111 1111")], id="card-visa"),
    pytest.param("银联卡号 6212345678901232", [("CREDIT_CARD", "6212345678901232")], id="card-unionpay"),
    pytest.param("Visa 4111 1111 1111 1112", [], id="card-checksum-bad"),
    pytest.param("IBAN GB82 WEST 1234 5698 7654 32", [("IBAN_CODE", "GB82 WEST 1234 5698 7654 32")], id="iban-valid"),
    pytest.param("IBAN GB83 WEST 1234 5698 7654 32", [], id="iban-checksum-bad"),
    # contact, online, dates
    pytest.param("Emel: siti@contoh.com.my", [("EMAIL_ADDRESS", "siti@contoh.com.my")], id="email-ms"),
    pytest.param("x@y.notatld", [], id="email-unknown-suffix"),
    pytest.param("Gọi +84 912 345 678", [("PHONE_NUMBER", "+84 912 345 678")], id="phone-vn"),
    pytest.param("电话 13812345678", [("PHONE_NUMBER", "13812345678")], id="phone-cn"),
    pytest.param("from 10.0.0.254 at noon", [("IP_ADDRESS", "10.0.0.254")], id="ip-v4"),
    pytest.param("from 10.0.0.256 at noon", [], id="ip-octet-bad"),
    pytest.param("Tanggal lahir 17/08/1985", [("DATE_OF_BIRTH", "17/08/1985")], id="dob-id"),
    pytest.param("วันเกิด 12 มีนาคม 2533", [("DATE_OF_BIRTH", "12 มีนาคม 2533")], id="dob-th-buddhist"),
    pytest.param("Meeting on 17/08/1985", [], id="dob-no-context"),
    pytest.param("Số tài khoản 0123456789", [("BANK_ACCOUNT", "0123456789")], id="bank-vi"),
    # names
    pytest.param("Họ và tên: Nguyễn Văn An.", [("PERSON", "Nguyễn Văn An")], id="person-vi"),
    pytest.param("Pangalan: Juan dela Cruz", [("PERSON", "Juan dela Cruz")], id="person-tl"),
    pytest.param("姓名：王小明，", [("PERSON", "王小明")], id="person-zh"),
    pytest.param("Nama: Bapak Budi Santoso", [("PERSON", "Budi Santoso")], id="person-id-title"),
    pytest.param("", [], id="empty"),
    pytest.param("   ", [], id="blank"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_text_identifiers(
    classifier: Classifier, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(classifier, text) == expected


# ---- property tests: scalar validator and column kernel agree with the spec --------------

GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "CN_RESIDENT_ID": idgen.cn_resident_id,
    "SG_NRIC_FIN": idgen.sg_nric,
    "TH_NATIONAL_ID": idgen.th_national_id,
    "MY_NRIC": idgen.my_nric,
    "ID_NIK": idgen.id_nik,
    "VN_CITIZEN_ID": idgen.vn_citizen_id,
    "CREDIT_CARD": idgen.credit_card,
    "PH_PHILSYS": idgen.ph_philsys,
}
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def both(identifier: Identifier, value: str) -> tuple[bool, bool]:
    column = pd.Series([value, None], dtype="string")
    return identifier.check(value), bool(identifier.mask(column)[0])


@pytest.mark.parametrize("entity", sorted(GENERATORS))
@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_generated_values_are_valid(entity: str, seed: int) -> None:
    value = GENERATORS[entity](random.Random(seed))
    assert both(BY_ENTITY[entity], value) == (True, True)


CHECK_ALPHABET = {
    "CN_RESIDENT_ID": "0123456789X",
    "SG_NRIC_FIN": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "TH_NATIONAL_ID": "0123456789",
    "CREDIT_CARD": "0123456789",
}


@pytest.mark.parametrize("entity", sorted(CHECK_ALPHABET))
@settings(max_examples=60, deadline=None)
@given(seed=seeds, pick=st.integers(min_value=0, max_value=30))
def test_wrong_check_character_is_not_an_identifier(entity: str, seed: int, pick: int) -> None:
    value = GENERATORS[entity](random.Random(seed))
    others = [c for c in CHECK_ALPHABET[entity] if c != value[-1]]
    corrupted = value[:-1] + others[pick % len(others)]
    assert both(BY_ENTITY[entity], corrupted) == (False, False)


@pytest.mark.parametrize(
    ("entity", "month_at"),
    [pytest.param("MY_NRIC", 2, id="my"), pytest.param("ID_NIK", 8, id="nik")],
)
@settings(max_examples=40, deadline=None)
@given(seed=seeds, month=st.integers(min_value=13, max_value=99))
def test_impossible_month_is_not_an_identifier(
    entity: str, month_at: int, seed: int, month: int
) -> None:
    value = GENERATORS[entity](random.Random(seed))
    corrupted = value[:month_at] + f"{month:02d}" + value[month_at + 2 :]
    assert both(BY_ENTITY[entity], corrupted) == (False, False)


STDNUM = {"CN_RESIDENT_ID": ric, "TH_NATIONAL_ID": pin, "MY_NRIC": nric, "ID_NIK": nik}


@pytest.mark.parametrize("entity", sorted(STDNUM))
@settings(max_examples=80, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_column_kernel_agrees_with_stdnum_on_any_digits(entity: str, digits: str) -> None:
    try:
        expected = bool(STDNUM[entity].is_valid(digits))
    except KeyError:  # stdnum 2.2 cn.ric: a province code with no county raises, means invalid
        expected = False
    column = pd.Series([digits], dtype="string")
    assert bool(BY_ENTITY[entity].mask(column)[0]) == expected


@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_sg_kernel_agrees_with_scalar_on_any_shape(seed: int) -> None:
    rng = random.Random(seed)
    value = (
        rng.choice("STFGMX") + f"{rng.randrange(10**7):07d}" + rng.choice("ABCDEFGHIJKLMNPQRTUWXZ")
    )
    assert both(BY_ENTITY["SG_NRIC_FIN"], value) in ((True, True), (False, False))


@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_card_kernel_agrees_with_scalar_on_any_length(seed: int) -> None:
    rng = random.Random(seed)
    value = rng.choice(("4", "62", "51", "9")) + "".join(
        str(rng.randrange(10)) for _ in range(rng.randint(11, 18))
    )
    assert both(BY_ENTITY["CREDIT_CARD"], value) in ((True, True), (False, False))


@pytest.mark.parametrize("entity", sorted(GENERATORS))
def test_generated_value_is_found_in_text_with_context(classifier: Classifier, entity: str) -> None:
    identifier = BY_ENTITY[entity]
    value = GENERATORS[entity](random.Random(7))
    text = f"{identifier.words[0]}: {value}"
    assert (entity, value) in found(classifier, text)
