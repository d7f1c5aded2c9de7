"""Zeek logs (conn, http, dns, ...) as TSV with the ``#fields`` header, or as JSON Lines.

Follows Zeek's ASCII writer: ``#separator`` (escaped, ``\\x09`` by default),
``#set_separator``, ``#empty_field``, ``#unset_field`` and ``#fields`` / ``#types`` header
lines, ``#close`` at the end; JSON logs carry the same field names, ``ts`` as epoch seconds
or ISO 8601.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from silkgate.monitor._errors import IngestError
from silkgate.monitor._jsonl import read_json_lines
from silkgate.monitor._schema import epoch_seconds, events_frame

ZEEK_FIELDS = {
    "ts": "ts",
    "id.orig_h": "src_ip",
    "id.orig_p": "src_port",
    "id.resp_h": "dst_ip",
    "id.resp_p": "dst_port",
    "proto": "proto",
    "service": "service",
    "duration": "duration_s",
    "orig_bytes": "bytes_out",
    "resp_bytes": "bytes_in",
    "orig_pkts": "packets_out",
    "resp_pkts": "packets_in",
    "conn_state": "state",
    "host": "host",
    "uri": "uri",
    "user_agent": "user_agent",
    "query": "dns_query",
}
"""Zeek field → event field; other Zeek fields are kept under their own names."""

_DROP = frozenset({"uid", "fuid", "fuids", "tunnel_parents", "_path", "_write_ts"})


def is_zeek_tsv(head: bytes) -> bool:
    return head.startswith(b"#separator") or b"\n#fields" in head[:4096]


def is_zeek_json(first: dict[str, object]) -> bool:
    return "id.orig_h" in first or ("uid" in first and "ts" in first)


def read_zeek(path: Path) -> pd.DataFrame:
    """Read a Zeek log (TSV or JSON, detected) into the event schema."""
    data = path.read_bytes()
    if data.lstrip()[:1] == b"{":
        return zeek_events(read_json_lines(data, name=str(path)))
    return zeek_events(_read_tsv(data, path))


def _read_tsv(data: bytes, path: Path) -> pd.DataFrame:
    separator, unset, empty = "\t", "-", "(empty)"
    fields: list[str] | None = None
    body: list[bytes] = []
    for line in data.splitlines():
        if line.startswith(b"#"):
            text = line.decode("utf-8", "replace")
            key, _, value = text.partition(" " if text.startswith("#separator") else separator)
            if key == "#separator":
                separator = value.strip().encode().decode("unicode_escape")
            elif key == "#unset_field":
                unset = value
            elif key == "#empty_field":
                empty = value
            elif key == "#fields":
                fields = value.split(separator)
            continue
        if line:
            body.append(line)
    if fields is None:
        raise IngestError(f"{path}: a Zeek TSV log needs a '#fields' header line")
    frame = pd.read_csv(
        io.BytesIO(b"\n".join(body)),
        sep=separator,
        names=fields,
        header=None,
        na_values=[unset],
        keep_default_na=False,
        dtype=str,
        quoting=3,
    )
    return frame.replace(empty, "")


def zeek_events(raw: pd.DataFrame) -> pd.DataFrame:
    """Map a frame with Zeek's field names onto the event schema."""
    columns: dict[str, object] = {}
    for name in raw.columns:
        if name in _DROP:
            continue
        target = ZEEK_FIELDS.get(name, name)
        values = raw[name]
        if target == "ts":
            columns[target] = epoch_seconds(values)
            continue
        # Keep the column as it is (Arrow-backed strings stay so): a round trip through
        # NumPy objects costs more than parsing on large logs.
        columns[target] = values.reset_index(drop=True)
    return events_frame(columns, source="zeek", rows=len(raw))
