"""Person names. Text: a name right after a cue of one of the seven languages (a label such
as "姓名", "Nama:", "Họ và tên", or an honorific such as Mr, Encik, Bapak, นาย, Ông, Gng.).
Tables: a column named for names whose values are shaped like names.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from presidio_analyzer import EntityRecognizer, RecognizerResult

from silkgate.classify._identifier import Identifier
from silkgate.classify._types import LANGUAGE
from silkgate.classify._vector import BoolArray

CUES = {
    "en": ("my name is", "full name", "name", "customer", "patient", "applicant", "employee",
           "contact person", "mr", "mrs", "ms", "miss", "dr", "dear", "i am"),
    "zh": ("姓名", "名字", "客户", "患者", "联系人", "申请人", "员工", "我叫", "病人", "收件人"),
    "ms": ("nama penuh", "nama saya", "nama", "encik", "puan", "cik", "tuan", "pesakit", "pemohon"),
    "id": ("nama lengkap", "nama saya", "nama", "bapak", "ibu", "saudara", "saudari", "pasien",
           "pemohon"),
    "th": ("ชื่อ-นามสกุล", "ชื่อ", "นางสาว", "นาย", "นาง", "คุณ", "ผู้ป่วย"),
    "vi": ("họ và tên", "họ tên", "tên", "ông", "bà", "anh", "chị", "bệnh nhân", "khách hàng",
           "tôi là"),
    "tl": ("pangalan", "ako si", "si", "gng", "bb", "g", "pasyente", "kliyente"),
}  # fmt: skip
_STOP = set(
    [
        "nric",
        "ic",
        "id",
        "nik",
        "ktp",
        "cccd",
        "cmnd",
        "psn",
        "pcn",
        "email",
        "e-mail",
        "phone",
        "tel",
        "dob",
        "passport",
        "no",
        "số",
        "sđt",
        "sinh",
        "lahir",
        "born",
        "tarikh",
        "tanggal",
        "ngày",
        "hộ",
        "ipinanganak",
        "telepon",
        "telefon",
        "card",
        "kad",
        "kartu",
        "thẻ",
        "mobile",
        "address",
        "alamat",
        "địa",
        "iban",
        "account",
        "rekening",
        "akaun",
        "and",
        "dan",
        "và",
        "at",
        "di",
        "sa",
    ]
)
_PARTICLES = {"bin", "binti", "bt", "bte", "a/l", "a/p", "van", "de", "dela", "del", "dos", "da"}
_HAN_STOP = set("因在于的是今已和与为等将到从被向说先女男住出电手身年月日了也都就同及患")
_THAI_HONORIFIC = re.compile(r"(?:นางสาว|นาย|นาง|คุณ|ด\.ช\.|ด\.ญ\.)\s*")
_THAI_STOP = ("โทร", "เกิด", "เลข", "อายุ", "อาศัย", "ที่อยู่", "อีเมล", "บัตร", "หมายเลข", "มี",
              "เป็น", "ได้", "จะ", "และ", "วันที่", "หนังสือ", "ผู้")  # fmt: skip
_LATIN_WORD = re.compile(r"[^\W\d_][\w'’./-]*")
_THAI_WORD = re.compile(r"[\u0E00-\u0E7F]+")


def _cue_regex() -> re.Pattern[str]:
    cues = sorted({c for words in CUES.values() for c in words}, key=len, reverse=True)
    parts = [
        rf"(?<![^\W\d_]){re.escape(c)}(?![^\W\d_])" if c.isascii() or " " in c else re.escape(c)
        for c in cues
    ]
    return re.compile(r"(?:" + "|".join(parts) + r")\.?[ \t]*[:：\-]?[ \t]*", re.IGNORECASE)


_CUE = _cue_regex()


def _name_after(text: str, at: int) -> tuple[int, int] | None:
    if at >= len(text):
        return None
    if "\u4e00" <= text[at] <= "\u9fff":
        end = at
        while end < len(text) and "\u4e00" <= text[end] <= "\u9fff" and end - at < 3:
            if end - at >= 2 and text[end] in _HAN_STOP:
                break
            end += 1
        return (at, end) if end - at >= 2 else None
    if "\u0e00" <= text[at] <= "\u0e7f":
        honorific = _THAI_HONORIFIC.match(text, at)
        start = honorific.end() if honorific else at
        first = _THAI_WORD.match(text, start)
        if first is None or first.group().startswith(_THAI_STOP):
            return None
        end = first.end()
        second = _THAI_WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if second is not None and not second.group().startswith(_THAI_STOP):
            end = second.end()
        return start, end
    words: list[re.Match[str]] = []
    pos = at
    while len(words) < 5:
        m = _LATIN_WORD.match(text, pos)
        if m is None:
            break
        word = m.group().rstrip(".,")
        if word.lower() in _STOP or not (word[0].isupper() or word.lower() in _PARTICLES):
            break
        words.append(m)
        space = re.match(r"[ \t]+", text[m.end() :])
        if space is None or m.group().endswith((",", ".")):
            break
        pos = m.end() + space.end()
    while words and words[-1].group().lower() in _PARTICLES:
        words.pop()
    if not words:
        return None
    return at, words[0].start() + len(text[words[0].start() : words[-1].end()].rstrip(".,"))


class PersonCueRecognizer(EntityRecognizer):
    """Names after a cue word; the cue is its own context, so the score is fixed."""

    SCORE = 0.75

    def __init__(self, identifier: Identifier) -> None:
        super().__init__(
            supported_entities=[identifier.entity],
            name=f"silkgate:{identifier.entity}",
            supported_language=LANGUAGE,
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: object = None
    ) -> list[RecognizerResult]:
        entity = self.supported_entities[0]
        results = []
        for cue in _CUE.finditer(text):
            at = cue.end()
            while (more := _CUE.match(text, at)) is not None and more.end() > at:
                at = more.end()  # "Nama: Bapak Budi": a title after a label is no name
            span = _name_after(text, at)
            if span is None:
                continue
            results.append(
                RecognizerResult(
                    self.supported_entities[0],
                    span[0],
                    span[1],
                    self.SCORE,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: f"silkgate:{entity}",
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                    },
                )
            )
        return results


_BAD = r"\d\s@#/\\:;,_=+*&%$!?<>()\[\]{}|~^\""
_NAME = rf"[^{_BAD}]+(?:[ '’.\-][^{_BAD}]+){{0,5}}"


def is_valid(value: str) -> bool:
    return len(value) <= 60 and re.fullmatch(_NAME, value.strip()) is not None


def valid_mask(values: pd.Series) -> BoolArray:
    text = values.astype("string").str.strip()
    ok = text.str.fullmatch(_NAME).fillna(False) & (text.str.len().fillna(99) <= 60)
    return np.array(ok, dtype=bool)


PERSON = Identifier(
    entity="PERSON",
    category="personal",
    patterns=(_NAME,),
    is_valid=is_valid,
    score=0.75,
    valid_mask=valid_mask,
    needs_column_hint=True,
    subject=False,
    compact=str.strip,
    make_recognizer=PersonCueRecognizer,
    context={
        "en": ("name", "full name", "customer", "patient", "first name", "last name", "surname"),
        "zh": ("姓名", "名字", "客户", "患者", "联系人", "姓"),
        "ms": ("nama",),
        "id": ("nama",),
        "th": ("ชื่อ", "นามสกุล"),
        "vi": ("họ tên", "tên", "họ và tên"),
        "tl": ("pangalan", "apelyido"),
    },
)
