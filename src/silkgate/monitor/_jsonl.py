"""Bulk reading of JSON Lines into a DataFrame: Arrow's parallel parser, orjson as fallback."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from silkgate.monitor._errors import IngestError


def read_json_lines(source: Path | bytes, *, name: str = "input") -> pd.DataFrame:
    """Parse newline-delimited JSON objects, flattening nested objects with dots (``id.orig_h``).

    Arrow parses in bulk on all cores; files whose fields change type from line to line,
    or that nest objects, go through orjson line by line instead.
    """
    data = source.read_bytes() if isinstance(source, Path) else source
    try:
        table = pa_json.read_json(
            io.BytesIO(data), read_options=pa_json.ReadOptions(block_size=1 << 24)
        )
        while any(pa.types.is_struct(f.type) for f in table.schema):
            table = table.flatten()
        if not any(pa.types.is_list(f.type) for f in table.schema):
            return pd.DataFrame(table.to_pandas())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    return _slow_path(data, name)


def _slow_path(data: bytes, name: str) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise IngestError(f"{name}: line {number} is not JSON ({exc})") from None
        if not isinstance(value, dict):
            raise IngestError(f"{name}: line {number} is not a JSON object")
        records.append(_flatten(value))
    return pd.DataFrame.from_records(records)


def _flatten(value: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(_flatten(item, name + "."))
        elif isinstance(item, list):
            flat[name] = ",".join(str(x) for x in item)
        else:
            flat[name] = item
    return flat
