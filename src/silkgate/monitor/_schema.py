"""The one event schema every reader produces: a pandas DataFrame with these columns.

Readers fill what their format carries and leave the rest missing (NaN / None); columns a
format has beyond these are kept after them, so generic tables keep all their features.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

NUMERIC_FIELDS: Final = (
    "ts", "src_port", "dst_port", "duration_s", "bytes_out", "bytes_in", "packets_out",
    "packets_in",
)  # fmt: skip
"""``ts`` is seconds since the epoch (UTC); bytes/packets ``out`` are sent by the originator."""

TEXT_FIELDS: Final = ("service", "host", "uri", "user_agent", "dns_query")
"""Free-text fields that Word2Vec embeds."""

CATEGORY_FIELDS: Final = ("proto", "state", "event_type", "signature", "app")

CONTEXT_FIELDS: Final = (
    "source", "src_ip", "dst_ip", "src_country", "dst_country", "cross_border", "party",
    "dataset",
)  # fmt: skip
"""Who and where: used for enrichment, series and compliance, never as raw features."""

EVENT_COLUMNS: Final = (
    "ts", "source", "src_ip", "src_port", "dst_ip", "dst_port", "proto", "service", "duration_s",
    "bytes_out", "bytes_in", "packets_out", "packets_in", "state", "event_type", "host", "uri",
    "user_agent", "dns_query", "signature", "app", "src_country", "dst_country", "cross_border",
    "party", "dataset",
)  # fmt: skip


def events_frame(columns: Mapping[str, object], *, source: str, rows: int) -> pd.DataFrame:
    """Build an event frame: the schema's columns in order (missing ones empty), then extras."""
    # Columns the reader did not fill are built with their dtype stated (no inference over
    # a million values) and the frame is not consolidated into 2-D blocks (no copy).
    index = pd.RangeIndex(rows)
    data: dict[str, object] = {}
    for name in EVENT_COLUMNS:
        if name == "source":
            data[name] = pd.Series(pa.repeat(pa.scalar(source), rows).to_pandas(), index=index)
        elif name in columns:
            data[name] = _positional(columns[name])
        elif name in NUMERIC_FIELDS:
            data[name] = pd.Series(np.full(rows, np.nan), index=index, copy=False)
        else:
            empty = np.full(rows, None, dtype=object)
            data[name] = pd.Series(empty, index=index, dtype=object, copy=False)
    for name, values in columns.items():
        if name not in data:
            data[name] = _positional(values)
    frame = pd.DataFrame(data, copy=False)
    for name in NUMERIC_FIELDS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


def _positional(values: object) -> object:
    """A Series lined up by position like an array (row i is the reader's i-th record)."""
    return values.reset_index(drop=True) if isinstance(values, pd.Series) else values


def epoch_seconds(values: pd.Series) -> npt.NDArray[np.float64]:
    """Seconds since the epoch from numbers, ISO 8601 strings or datetimes (NaN if unreadable)."""
    if pd.api.types.is_numeric_dtype(values):
        return np.asarray(values.astype("float64").to_numpy(), dtype=np.float64)
    if not pd.api.types.is_datetime64_any_dtype(values):
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.notna().sum() == values.notna().sum():
            return np.asarray(numeric.astype("float64").to_numpy(), dtype=np.float64)
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    seconds = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return np.asarray(seconds.astype("float64").to_numpy(), dtype=np.float64)
