"""The shared vocabulary of data categories and grades, mapped across frameworks.

Each category is mapped to its treatment under China's PIPL (Art. 28 sensitive kinds),
to a grade of GB/T 43697-2024 (core / important / general, the general data further
levelled 4 to 1 by impact on individuals and organisations), and to the sensitivity
tier an organisation would give it under the ASEAN Data Management Framework (2021),
whose example tiers are restricted, confidential, internal and public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

DataCategory = Literal[
    # personal information (PIPL Art. 4), not sensitive
    "personal",
    "contact",
    "identifier",
    "demographic",
    "online_identifier",
    "employment",
    # sensitive personal information, the kinds named in PIPL Art. 28
    "biometric",
    "religious_belief",
    "specific_identity",
    "health",
    "financial_account",
    "whereabouts",
    "minor_under_14",
    # data of the state (Data Security Law Art. 21)
    "important_data",
    "core_data",
    # everything else
    "business",
    "public",
]

Grade = Literal["general_1", "general_2", "general_3", "general_4", "important", "core"]
"""GB/T 43697-2024 grades, lowest first: general data levels 1-4, then important, then core."""

AseanDmfTier = Literal["public", "internal", "confidential", "restricted"]

SENSITIVE_KINDS: tuple[DataCategory, ...] = (
    "biometric",
    "religious_belief",
    "specific_identity",
    "health",
    "financial_account",
    "whereabouts",
    "minor_under_14",
)

_GRADE_ORDER: tuple[Grade, ...] = get_args(Grade)


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """How one category is treated in each framework silkgate maps between."""

    category: DataCategory
    label_en: str
    label_zh: str
    is_personal: bool
    is_sensitive: bool
    grade: Grade
    asean_dmf_tier: AseanDmfTier
    citation: str


def _info(
    category: DataCategory,
    label_en: str,
    label_zh: str,
    grade: Grade,
    tier: AseanDmfTier,
    citation: str,
) -> CategoryInfo:
    personal = grade in ("general_3", "general_4") and category not in ("business",)
    return CategoryInfo(
        category=category,
        label_en=label_en,
        label_zh=label_zh,
        is_personal=personal,
        is_sensitive=category in SENSITIVE_KINDS,
        grade=grade,
        asean_dmf_tier=tier,
        citation=citation,
    )


CATEGORIES: dict[DataCategory, CategoryInfo] = {
    info.category: info
    for info in (
        _info(
            "personal",
            "personal information",
            "个人信息",
            "general_3",
            "confidential",
            "PIPL Art. 4",
        ),
        _info("contact", "contact details", "联系方式", "general_3", "confidential", "PIPL Art. 4"),
        _info(
            "identifier", "identity numbers", "身份标识", "general_3", "confidential", "PIPL Art. 4"
        ),
        _info(
            "demographic",
            "demographic data",
            "人口统计信息",
            "general_3",
            "confidential",
            "PIPL Art. 4",
        ),
        _info(
            "online_identifier",
            "online identifiers",
            "网络标识",
            "general_3",
            "confidential",
            "PIPL Art. 4",
        ),
        _info(
            "employment", "employment data", "雇佣信息", "general_3", "confidential", "PIPL Art. 4"
        ),
        _info("biometric", "biometric data", "生物识别", "general_4", "restricted", "PIPL Art. 28"),
        _info(
            "religious_belief",
            "religious belief",
            "宗教信仰",
            "general_4",
            "restricted",
            "PIPL Art. 28",
        ),
        _info(
            "specific_identity",
            "specific identity",
            "特定身份",
            "general_4",
            "restricted",
            "PIPL Art. 28",
        ),
        _info(
            "health",
            "medical and health data",
            "医疗健康",
            "general_4",
            "restricted",
            "PIPL Art. 28",
        ),
        _info(
            "financial_account",
            "financial accounts",
            "金融账户",
            "general_4",
            "restricted",
            "PIPL Art. 28",
        ),
        _info(
            "whereabouts",
            "whereabouts and location",
            "行踪轨迹",
            "general_4",
            "restricted",
            "PIPL Art. 28",
        ),
        _info(
            "minor_under_14",
            "minors under 14",
            "不满十四周岁未成年人",
            "general_4",
            "restricted",
            "PIPL Art. 28, 31",
        ),
        _info(
            "important_data",
            "important data",
            "重要数据",
            "important",
            "restricted",
            "DSL Art. 21; GB/T 43697-2024",
        ),
        _info(
            "core_data",
            "core data",
            "核心数据",
            "core",
            "restricted",
            "DSL Art. 21; GB/T 43697-2024",
        ),
        _info(
            "business", "business data", "一般业务数据", "general_2", "internal", "GB/T 43697-2024"
        ),
        _info("public", "public data", "公开数据", "general_1", "public", "GB/T 43697-2024"),
    )
}


def grade_rank(grade: Grade) -> int:
    """0 for general_1 up to 5 for core: compare grades by this."""
    return _GRADE_ORDER.index(grade)


def highest_grade(grades: Iterable[Grade], default: Grade = "general_1") -> Grade:
    return max(grades, key=grade_rank, default=default)


def grade_of(categories: Iterable[DataCategory]) -> Grade:
    """The grade data carrying all of ``categories`` gets: the highest of theirs."""
    return highest_grade(CATEGORIES[c].grade for c in categories)


def is_sensitive(category: DataCategory) -> bool:
    return CATEGORIES[category].is_sensitive


def is_personal(category: DataCategory) -> bool:
    return CATEGORIES[category].is_personal
