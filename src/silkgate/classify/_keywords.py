"""Words that mark categories of personal data, in the seven languages (en, zh, ms, id, th,
vi, tl): the sensitive kinds of PIPL Art. 28 first, then ordinary personal columns. Matched
against column names and values (and text, for a record's categories).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from silkgate.domain import DataCategory

SENSITIVE: Mapping[DataCategory, tuple[str, ...]] = {
    "health": (
        "health", "medical", "diagnosis", "disease", "illness", "symptom", "allergy",
        "medication", "prescription", "blood type", "patient", "hiv", "diabetes", "cancer",
        "hypertension", "asthma", "covid", "pregnan",
        "健康", "医疗", "诊断", "疾病", "病历", "病史", "症状", "过敏", "药物", "处方", "血型",
        "糖尿病", "高血压", "癌", "哮喘", "艾滋病", "怀孕",
        "kesihatan", "perubatan", "penyakit", "ubat", "pesakit", "kencing manis", "darah tinggi",
        "alahan", "asma", "kanser",
        "kesehatan", "medis", "diagnosa", "obat", "pasien", "hipertensi", "alergi", "kanker",
        "สุขภาพ", "การแพทย์", "วินิจฉัย", "โรค", "ผู้ป่วย", "เบาหวาน", "ความดันโลหิตสูง", "มะเร็ง",
        "หอบหืด",
        "sức khỏe", "y tế", "chẩn đoán", "bệnh", "tiểu đường", "huyết áp", "ung thư",
        "hen suyễn", "dị ứng",
        "kalusugan", "medikal", "karamdaman", "sakit", "gamot", "pasyente", "diyabetis",
        "altapresyon", "hika",
    ),
    "religious_belief": (
        "religion", "religious", "faith", "muslim", "islam", "christian", "buddhis", "hindu",
        "catholic", "protestant", "taois",
        "宗教", "信仰", "佛教", "基督教", "伊斯兰", "天主教", "道教", "印度教",
        "agama", "kepercayaan", "kristian", "buddha", "kristen", "katolik", "konghucu",
        "ศาสนา", "พุทธ", "อิสลาม", "คริสต์",
        "tôn giáo", "tín ngưỡng", "phật giáo", "công giáo", "tin lành", "hồi giáo",
        "relihiyon", "pananampalataya", "katoliko", "kristiyano",
    ),
    "biometric": (
        "fingerprint", "facial", "face template", "face_id", "iris", "retina", "voiceprint",
        "biometric", "palm print",
        "指纹", "人脸", "面部特征", "虹膜", "声纹", "生物识别", "掌纹",
        "cap jari", "biometrik", "sidik jari", "wajah",
        "ลายนิ้วมือ", "ใบหน้า", "ม่านตา", "ชีวมิติ",
        "vân tay", "khuôn mặt", "mống mắt", "sinh trắc",
        "bakas ng daliri", "mukha",
    ),
    "specific_identity": (
        "disability", "disabled", "ethnicity", "ethnic", "race", "criminal record",
        "sexual orientation", "trade union", "political",
        "特定身份", "残疾", "民族", "种族", "犯罪记录", "性取向", "政治面貌",
        "kurang upaya", "oku", "bangsa", "kaum", "etnik", "rekod jenayah",
        "disabilitas", "suku", "etnis", "ras", "catatan kriminal",
        "ความพิการ", "คนพิการ", "เชื้อชาติ", "ชาติพันธุ์", "ประวัติอาชญากรรม",
        "khuyết tật", "dân tộc", "sắc tộc", "tiền án",
        "kapansanan", "pwd", "lahi", "etnisidad", "rekord kriminal",
    ),
    "financial_account": (
        "bank account", "account number", "account no", "iban", "card number", "credit card",
        "balance", "swift",
        "银行账户", "银行账号", "账号", "卡号", "银行卡", "信用卡", "余额",
        "akaun bank", "no akaun", "kad kredit", "baki",
        "rekening", "kartu kredit", "saldo",
        "บัญชีธนาคาร", "เลขบัญชี", "บัตรเครดิต", "ยอดเงิน",
        "tài khoản", "thẻ tín dụng", "số dư",
        "account sa bangko", "bank account",
    ),
    "whereabouts": (
        "location", "gps", "latitude", "longitude", "lat", "lng", "lon", "geolocation",
        "trajectory", "whereabouts", "check-in", "check in",
        "位置", "定位", "轨迹", "行踪", "经度", "纬度",
        "lokasi", "latitud", "longitud", "jejak", "garis lintang", "garis bujur",
        "ตำแหน่ง", "พิกัด", "ละติจูด", "ลองจิจูด",
        "vị trí", "tọa độ", "vĩ độ", "kinh độ", "hành trình",
        "lokasyon", "kinaroroonan",
    ),
    "minor_under_14": (
        "minor", "child", "children", "kid", "under 14", "pupil",
        "未成年", "儿童", "未满十四", "小学生",
        "kanak-kanak", "bawah umur", "murid",
        "anak", "di bawah umur",
        "ผู้เยาว์", "เด็ก",
        "trẻ em", "vị thành niên",
        "menor de edad", "bata",
    ),
}  # fmt: skip

PERSONAL_COLUMNS: Mapping[DataCategory, tuple[str, ...]] = {
    "contact": (
        "address", "postcode", "zip", "地址", "住址", "邮编", "alamat", "poskod", "kode pos",
        "ที่อยู่", "รหัสไปรษณีย์", "địa chỉ", "tirahan", "address",
    ),
    "demographic": (
        "gender", "sex", "age", "nationality", "marital", "性别", "年龄", "国籍", "婚姻",
        "jantina", "umur", "jenis kelamin", "usia", "kewarganegaraan", "เพศ", "อายุ", "สัญชาติ",
        "giới tính", "tuổi", "quốc tịch", "kasarian", "edad", "nasyonalidad",
    ),
    "employment": (
        "employer", "occupation", "job title", "salary", "职业", "工作单位", "工资", "pekerjaan",
        "majikan", "gaji", "อาชีพ", "เงินเดือน", "nghề nghiệp", "lương", "trabaho", "sahod",
    ),
    "online_identifier": ("ip", "device id", "cookie", "imei", "mac address", "设备号"),
}  # fmt: skip

AGE_WORDS = ("age", "年龄", "umur", "usia", "อายุ", "tuổi", "edad")


def tokens_of(name: str) -> str:
    """A column name spelled as space-separated lower-case words, padded with spaces."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return " " + " ".join(re.split(r"[^\w\u0E00-\u0E7F]+|_", spaced.lower())).strip() + " "


@lru_cache(maxsize=4096)
def ascii_folded(word: str) -> str:
    """``word`` without diacritics ("vĩ độ" → "vi do"), as column names are often written."""
    decomposed = unicodedata.normalize("NFKD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def mentions(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` (from ``tokens_of`` or lower-cased prose) holds any of ``words``.

    Latin words match whole words (so "lat" is not found in "latest"), with or without
    their diacritics; words of scripts written without spaces match anywhere.
    """
    for word in words:
        if word.isascii():
            if f" {word} " in text or (" " in word and word in text):
                return True
        elif word in text:
            return True
        else:
            folded = ascii_folded(word)
            if folded.isascii() and f" {folded} " in text:
                return True
    return False


def padded(text: str) -> str:
    """Lower-cased prose with punctuation turned to spaces, for ``mentions``."""
    return " " + re.sub(r"[^\w\u0E00-\u0E7F'-]+", " ", text.lower()) + " "


@lru_cache(maxsize=32)
def matcher(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex finding any of ``words`` in lower-cased text (Latin ones as whole words)."""
    parts = [
        rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])" if w.isascii() else re.escape(w)
        for w in sorted(set(words), key=len, reverse=True)
    ]
    return re.compile("|".join(parts))
