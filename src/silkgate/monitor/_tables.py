"""Generic flow tables (CSV, Parquet, JSON Lines) with an optional column mapping, and NSL-KDD.

A generic table keeps every column under its own name (renamed by ``mapping`` onto the
event schema where given), so any numeric or categorical column can become a feature.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from silkgate.monitor._errors import IngestError
from silkgate.monitor._jsonl import read_json_lines
from silkgate.monitor._schema import EVENT_COLUMNS, events_frame

NSLKDD_COLUMNS = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)  # fmt: skip
"""The 41 features of KDD Cup 99 / NSL-KDD, in file order; label and difficulty follow."""
NSLKDD_LABELS = ("attack", "level")
_NSLKDD_MAP = {"protocol_type": "proto", "service": "service", "flag": "state"}
_SEPARATORS = ",;\t|"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_csv_text(data: bytes, name: str) -> pd.DataFrame:
    """Read delimited text: the separator sniffed, a missing header row noticed."""
    text = _decode(data)
    if not text.strip():
        raise IngestError(f"{name}: the file is empty")
    head = "\n".join(text.splitlines()[:50])
    try:
        separator = csv.Sniffer().sniff(head, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        separator = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"{name}: not a readable delimited table ({exc})") from None
    if _looks_headerless(list(frame.columns)):
        frame = pd.read_csv(io.StringIO(text), sep=separator, header=None, skipinitialspace=True)
        frame.columns = [f"col_{i}" for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _looks_headerless(columns: list[object]) -> bool:
    def numeric(value: object) -> bool:
        try:
            float(str(value))
        except ValueError:
            return False
        return True

    return bool(columns) and sum(numeric(c) for c in columns) >= max(1, len(columns) // 2)


def is_nslkdd(frame: pd.DataFrame) -> bool:
    if list(frame.columns[:4]) == list(NSLKDD_COLUMNS[:4]):
        return True
    if frame.shape[1] not in (41, 42, 43) or frame.empty:
        return False
    protocols = {str(v).lower() for v in frame.iloc[:100, 1].tolist()}
    return protocols <= {"tcp", "udp", "icmp"}


def nslkdd_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Name NSL-KDD columns; the label and difficulty columns are dropped, never features."""
    width = frame.shape[1]
    if list(frame.columns[:4]) != list(NSLKDD_COLUMNS[:4]):
        frame = frame.set_axis(list(NSLKDD_COLUMNS + NSLKDD_LABELS)[:width], axis=1)
    frame = frame.drop(columns=[c for c in frame.columns if c not in NSLKDD_COLUMNS])
    columns: dict[str, object] = {
        _NSLKDD_MAP.get(str(c), str(c)): frame[c].to_numpy() for c in frame.columns
    }
    return events_frame(columns, source="nslkdd", rows=len(frame))


def table_events(
    frame: pd.DataFrame, *, mapping: Mapping[str, str] | None = None, source: str = "csv"
) -> pd.DataFrame:
    """A generic table in the event schema; ``mapping`` renames its columns to event fields."""
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping.values()) - set(EVENT_COLUMNS))
    if unknown:
        raise IngestError(f"mapping targets {unknown} are not event fields ({EVENT_COLUMNS})")
    columns = {str(mapping.get(str(c), str(c))): frame[c].to_numpy() for c in frame.columns}
    return events_frame(columns, source=source, rows=len(frame))


def read_table(path: Path) -> pd.DataFrame:
    """Read CSV / TSV, Parquet or JSON Lines as a plain DataFrame (no schema applied)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds for a bad file
            raise IngestError(f"{path}: not a readable Parquet file ({exc})") from None
    data = path.read_bytes()
    if data.lstrip()[:1] == b"{":
        return read_json_lines(data, name=str(path))
    return read_csv_text(data, str(path))
