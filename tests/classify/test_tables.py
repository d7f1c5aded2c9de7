"""Tables from CSV, Parquet and JSON Lines files: column types, shares, categories, grades,
subjects; and the errors for files that cannot be classified."""

# ruff: noqa: E501  (tables of cases and templates read best one case per line)

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from silkgate.classify import Classifier, TableReport, UnsupportedFormat
from silkgate.domain import InvalidInput, NotFound

from . import idgen


def people(rows: int = 60) -> pd.DataFrame:
    rng = random.Random(3)
    ids = [idgen.cn_resident_id(rng) for _ in range(rows // 2)] * 2  # each subject twice
    return pd.DataFrame(
        {
            "姓名": [f"张{'伟芳娜敏静'[i % 5]}" for i in range(rows)],
            "身份证号": ids,
            "email": [f"user{i}@example.com" for i in range(rows)],
            "diagnosis": ["糖尿病" if i % 3 == 0 else None for i in range(rows)],
            "amount": [str(i * 10) for i in range(rows)],
        }
    )


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_table_files_report_columns_subjects_and_grade(
    classifier: Classifier, tmp_path: Path, suffix: str
) -> None:
    path = write(people(), tmp_path / f"people{suffix}")

    report = classifier.classify_path(path)

    assert isinstance(report, TableReport)
    assert report.rows == 60
    assert report.columns["身份证号"].entities == {"CN_RESIDENT_ID": 1.0}
    assert report.columns["email"].entities == {"EMAIL_ADDRESS": 1.0}
    assert report.columns["姓名"].entities == {"PERSON": 1.0}
    assert report.columns["diagnosis"].category == "health"
    assert report.columns["amount"].category == "business"
    assert report.subjects == 30
    assert report.sensitive_subjects == len({i % 30 for i in range(0, 60, 3)})
    assert report.grade == "general_4"


def test_report_dumps_to_the_contract_shape(classifier: Classifier) -> None:
    dumped = classifier.classify_table(people()).model_dump(mode="json")

    assert set(dumped) == {"kind", "rows", "columns", "subjects", "sensitive_subjects", "grade"}
    assert dumped["kind"] == "table"
    assert set(dumped["columns"]["email"]) == {"entities", "category", "grade"}
    json.dumps(dumped)


def test_bad_check_digits_lower_the_share(classifier: Classifier) -> None:
    rng = random.Random(5)
    good = [idgen.th_national_id(rng) for _ in range(8)]
    bad = [idgen.corrupt_last(v) for v in good[:2]]
    frame = pd.DataFrame({"citizen": good[2:] + bad + [None, None]})

    report = classifier.classify_table(frame)

    assert report.columns["citizen"].entities == {"TH_NATIONAL_ID": 0.6}


@pytest.mark.parametrize(
    ("column", "values", "category"),
    [
        pytest.param("agama", ["Islam", "Kristen", "Buddha"], "religious_belief", id="religion-id"),
        pytest.param("vân tay", ["a1b2", "c3d4", "e5f6"], "biometric", id="biometric-vi"),
        pytest.param("ตำแหน่ง", ["13.75,100.5", "13.7,100.4", "13.8,100.6"], "whereabouts", id="whereabouts-th"),
        pytest.param("notes", ["pasien diabetes", "kanker", "hipertensi"], "health", id="health-values-id"),
        pytest.param("kapansanan", ["oo", "wala", "oo"], "specific_identity", id="identity-tl"),
        pytest.param("akaun bank", ["1234567890", "9876543210", "1111222233"], "financial_account", id="account-ms"),
        pytest.param("年龄", ["8", "35", "40"], "minor_under_14", id="minor-age-zh"),
        pytest.param("年龄", ["18", "35", "40"], "demographic", id="adult-age-zh"),
        pytest.param("sku", ["A-1", "B-2", "C-3"], "business", id="non-personal"),
    ],
)  # fmt: skip
def test_sensitive_categories_from_names_and_values(
    classifier: Classifier, column: str, values: list[str], category: str
) -> None:
    report = classifier.classify_table(pd.DataFrame({column: values}))

    assert report.columns[column].category == category


def test_weak_shapes_need_a_column_name(classifier: Classifier) -> None:
    digits = ["123456789012", "234567890123", "345678901234"]
    frame = pd.DataFrame({"ref": digits, "philsys_psn": digits})

    report = classifier.classify_table(frame)

    assert report.columns["ref"].entities == {}
    assert report.columns["philsys_psn"].entities == {"PH_PHILSYS": 1.0}


def test_phones_of_several_regions_in_one_column(classifier: Classifier) -> None:
    phones = ["+65 9123 4567", "+86 138 1234 5678", "+66 81 234 5678", "not a phone"]

    report = classifier.classify_table(pd.DataFrame({"phone": phones}))

    assert report.columns["phone"].entities == {"PHONE_NUMBER": 0.75}


def test_missing_file_is_not_found(classifier: Classifier, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such file"):
        classifier.classify_path(tmp_path / "absent.csv")


def test_unknown_suffix_names_the_accepted_formats(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK")

    with pytest.raises(UnsupportedFormat, match=r"data\.xlsx.*accepted formats: auto, csv"):
        classifier.classify_path(path)


def test_unreadable_parquet_is_invalid_input(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_text("not parquet")

    with pytest.raises(InvalidInput, match="cannot be read as parquet"):
        classifier.classify_path(path)


def test_nested_json_lines_are_refused(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "nested.jsonl"
    path.write_text('{"a": {"b": 1}}\n')

    with pytest.raises(UnsupportedFormat, match="flat objects"):
        classifier.classify_path(path)


def test_vietnamese_column_names_without_diacritics_are_recognised() -> None:
    import pandas as pd

    from silkgate.classify import classify_table

    frame = pd.DataFrame(
        {
            "ho_ten": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"] * 10,
            "vi_do": [10.7769, 21.0285, 16.0544] * 10,
            "kinh_do": [106.7009, 105.8542, 108.2022] * 10,
        }
    )
    report = classify_table(frame)
    assert "PERSON" in report.columns["ho_ten"].entities
    assert report.columns["vi_do"].category == "whereabouts"
    assert report.columns["kinh_do"].category == "whereabouts"
