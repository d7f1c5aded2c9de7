"""One entry point for every input format: ``read_events(path, format=...)``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

import orjson
import pandas as pd

from silkgate.monitor._errors import IngestError, UnknownFormat
from silkgate.monitor._eve import is_eve, read_eve
from silkgate.monitor._netflow import is_netflow, read_netflow
from silkgate.monitor._tables import (
    is_nslkdd,
    nslkdd_events,
    read_csv_text,
    read_table,
    table_events,
)
from silkgate.monitor._transfers import is_transfer_record, read_transfers
from silkgate.monitor._zeek import is_zeek_json, is_zeek_tsv, read_zeek

Format = Literal["auto", "zeek", "eve", "netflow", "csv", "parquet", "nslkdd", "transfers"]
FORMATS: tuple[str, ...] = get_args(Format)


def detect_format(path: Path) -> str:
    """Name the format of ``path`` from its first bytes (and suffix for Parquet)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        return "parquet"
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise IngestError(f"{path}: the file is empty")
    if head[:4] == b"PAR1":
        return "parquet"
    if is_netflow(head):
        return "netflow"
    if is_zeek_tsv(head):
        return "zeek"
    stripped = head.lstrip()
    if stripped[:1] == b"{":
        line = stripped.split(b"\n", 1)[0]
        try:
            first = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise UnknownFormat(f"{path}: starts like JSON but its first line is not") from None
        if isinstance(first, dict):
            if is_eve(first):
                return "eve"
            if is_transfer_record(first) or "exporter_jurisdiction" in first:
                return "transfers"
            if is_zeek_json(first):
                return "zeek"
        return "csv"
    if b"\x00" in head[:1024]:
        raise UnknownFormat(
            f"{path}: binary content that is not pcap, NetFlow v5/IPFIX or Parquet; "
            f"use one of --format {', '.join(FORMATS[1:])}"
        )
    return "csv"


def read_events(
    path: Path | str,
    format: str = "auto",
    *,
    mapping: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read ``path`` into the event schema, one row per record in file order.

    ``format`` is one of ``FORMATS``; ``auto`` detects it. ``mapping`` renames columns of a
    generic table onto event fields (``{"bytes_sent": "bytes_out"}``).
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file", field="--input")
    if format not in FORMATS:
        raise IngestError(f"format {format!r} is not one of {', '.join(FORMATS)}", field="--format")
    kind = detect_format(path) if format == "auto" else format
    if kind == "zeek":
        return read_zeek(path)
    if kind == "eve":
        return read_eve(path)
    if kind == "netflow":
        return read_netflow(path)
    if kind == "transfers":
        return read_transfers(path)
    if kind == "nslkdd":
        frame = read_csv_text(path.read_bytes(), str(path))
        if not is_nslkdd(frame):
            raise IngestError(f"{path}: not NSL-KDD (41 features, then label and level)")
        return nslkdd_events(frame)
    frame = read_table(path)
    if format == "auto" and not mapping and is_nslkdd(frame):
        return nslkdd_events(frame)
    return table_events(frame, mapping=mapping, source=kind)
