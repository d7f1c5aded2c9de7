"""Suricata EVE JSON (one event per line): flow, alert, http, dns and fileinfo records.

Field names follow Suricata's EVE output documentation: ``src_ip``/``dest_ip``/``proto``,
``app_proto``, ``flow.bytes_toserver``/``bytes_toclient``/``pkts_*``/``start``/``end``,
``alert.signature``/``severity``, ``http.hostname``/``url``/``http_user_agent``,
``dns.rrname`` (``dns.query.rrname`` in older versions), ``fileinfo.filename``/``size``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from silkgate.monitor._jsonl import read_json_lines
from silkgate.monitor._schema import epoch_seconds, events_frame

EVE_FIELDS = {
    "src_ip": "src_ip",
    "src_port": "src_port",
    "dest_ip": "dst_ip",
    "dest_port": "dst_port",
    "proto": "proto",
    "app_proto": "service",
    "event_type": "event_type",
    "flow.bytes_toserver": "bytes_out",
    "flow.bytes_toclient": "bytes_in",
    "flow.pkts_toserver": "packets_out",
    "flow.pkts_toclient": "packets_in",
    "flow.state": "state",
    "alert.signature": "signature",
    "http.hostname": "host",
    "http.url": "uri",
    "http.http_user_agent": "user_agent",
    "dns.rrname": "dns_query",
    "dns.query.rrname": "dns_query",
    "tls.sni": "host",
}

_DROP_PREFIXES = ("flow_id", "pcap_cnt", "in_iface", "tx_id", "community_id", "packet", "payload")


def is_eve(first: dict[str, object]) -> bool:
    return "event_type" in first and ("dest_ip" in first or "src_ip" in first)


def read_eve(path: Path) -> pd.DataFrame:
    """Read an EVE JSON file into the event schema (all event types; ``event_type`` kept)."""
    return eve_events(read_json_lines(path, name=str(path)))


def _epoch(values: pd.Series) -> npt.NDArray[np.float64]:
    return epoch_seconds(values)


def eve_events(raw: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, object] = {}
    for name in raw.columns:
        if name.startswith(_DROP_PREFIXES) or name == "timestamp":
            continue
        target = EVE_FIELDS.get(name, name)
        if target in columns and name in EVE_FIELDS:  # e.g. two spellings of the DNS query
            merged = pd.Series(columns[target]).fillna(raw[name]).to_numpy()
            columns[target] = merged
            continue
        columns[target] = raw[name].to_numpy()
    if "timestamp" in raw.columns:
        columns["ts"] = _epoch(raw["timestamp"])
    if "flow.start" in raw.columns and "flow.end" in raw.columns:
        columns["duration_s"] = _epoch(raw["flow.end"]) - _epoch(raw["flow.start"])
    if "alert.severity" in raw.columns:
        columns["severity"] = pd.to_numeric(raw["alert.severity"], errors="coerce").to_numpy()
    return events_frame(columns, source="eve", rows=len(raw))
