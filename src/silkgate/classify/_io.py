"""Reading what ``classify_path`` is given: CSV, Parquet, JSON Lines tables, and text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pandas as pd

from silkgate.classify._errors import UnsupportedFormat
from silkgate.classify._types import Format, RecordId
from silkgate.domain import NotFound

_SUFFIXES: dict[str, Literal["csv", "parquet", "jsonl", "text"]] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}


def resolve_format(path: Path, format: Format) -> Literal["csv", "parquet", "jsonl", "text"]:
    """The format to read ``path`` as; raises NotFound or UnsupportedFormat."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file", field="path")
    if format != "auto":
        return format
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UnsupportedFormat(
            f"cannot tell the format from suffix {path.suffix!r}", path=str(path)
        )
    return found


def read_table(path: Path, format: Literal["csv", "parquet", "jsonl"]) -> pd.DataFrame:
    try:
        if format == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        if format == "parquet":
            return pd.read_parquet(path)
        frame = pd.read_json(path, lines=True, dtype=False)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        raise UnsupportedFormat(f"cannot be read as {format}: {error}", path=str(path)) from None
    except Exception as error:  # pyarrow raises its own ArrowInvalid family
        if type(error).__module__.startswith("pyarrow"):
            raise UnsupportedFormat(
                f"cannot be read as {format}: {error}", path=str(path)
            ) from None
        raise
    for name in frame.columns:
        if frame[name].map(lambda v: isinstance(v, dict | list)).any():
            raise UnsupportedFormat(
                f"column {name!r} holds nested values; JSON Lines tables must be flat objects",
                path=str(path),
            )
    return frame


def read_text(
    path: Path, format: Literal["text"], suffix_format: str | None
) -> list[tuple[RecordId, str]]:
    """A ``.txt`` file is one record (id: the file name); JSON Lines give one record a line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UnsupportedFormat("is not UTF-8 text", path=str(path)) from None
    if suffix_format != "jsonl":
        return [(path.name, raw)]
    records: list[tuple[RecordId, str]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnsupportedFormat(
                f"line {number}: not JSON ({error.msg})", path=str(path)
            ) from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise UnsupportedFormat(
                f'line {number}: expected {{"id": ..., "text": "..."}}', path=str(path)
            )
        record_id = item.get("id", number)
        if not isinstance(record_id, str | int) or isinstance(record_id, bool):
            record_id = str(record_id)
        records.append((record_id, item["text"]))
    return records
