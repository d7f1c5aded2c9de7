"""silkgate's own transfer events: one JSON object per line, as the gate records transfers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
from pydantic import Field, TypeAdapter, ValidationError

from silkgate.domain import DataCategory, DomainModel, Mechanism, Mode, Purpose, is_sensitive
from silkgate.monitor._errors import IngestError
from silkgate.monitor._schema import events_frame


class TransferEvent(DomainModel):
    """One transfer that happened (or is happening) between two parties."""

    ts: dt.datetime
    exporter: str = Field(description="party id of the sender")
    exporter_jurisdiction: str
    importer: str = Field(description="party id of the receiver")
    importer_jurisdiction: str
    dataset: str | None = None
    bytes: int = Field(0, ge=0)
    records: int = Field(0, ge=0)
    personal: bool = False
    subjects: int = Field(0, ge=0)
    sensitive_subjects: int = Field(0, ge=0)
    categories: frozenset[DataCategory] = frozenset()
    mechanisms: frozenset[Mechanism] = frozenset()
    purpose: Purpose = "business"
    mode: Mode = "transfer"
    grant: str | None = Field(None, description="id of a grant that covers this flow, if any")
    content: str = Field("", description="what the payload holds: column names, a sample")
    src_ip: str | None = None
    dst_ip: str | None = None


_EVENTS = TypeAdapter(list[TransferEvent])


def is_transfer_record(first: dict[str, object]) -> bool:
    return "exporter_jurisdiction" in first and "importer_jurisdiction" in first


def read_transfers(path: Path) -> pd.DataFrame:
    records = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    try:
        events = _EVENTS.validate_python(records)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise IngestError(f"{path}: record {where}: {first['msg']}") from None
    return transfer_events(events)


def dump_transfers(events: Iterable[TransferEvent]) -> bytes:
    return b"".join(e.model_dump_json().encode() + b"\n" for e in events)


def transfer_events(events: list[TransferEvent]) -> pd.DataFrame:
    """Transfer events in the event schema, with the compliance facts as extra columns."""
    ts = np.array([e.ts.timestamp() for e in events], dtype="float64")
    columns: dict[str, object] = {
        "ts": ts,
        "src_ip": np.array([e.src_ip for e in events], dtype=object),
        "dst_ip": np.array([e.dst_ip for e in events], dtype=object),
        "bytes_out": np.array([e.bytes for e in events], dtype="float64"),
        "event_type": np.full(len(events), "transfer", dtype=object),
        "src_country": np.array([e.exporter_jurisdiction for e in events], dtype=object),
        "dst_country": np.array([e.importer_jurisdiction for e in events], dtype=object),
        "party": np.array([e.exporter for e in events], dtype=object),
        "dataset": np.array([e.dataset for e in events], dtype=object),
        "dst_party": np.array([e.importer for e in events], dtype=object),
        "records": np.array([e.records for e in events], dtype="float64"),
        "subjects": np.array([e.subjects for e in events], dtype="float64"),
        "sensitive_subjects": np.array([e.sensitive_subjects for e in events], dtype="float64"),
        "personal": np.array([e.personal for e in events], dtype=bool),
        "sensitive": np.array([any(is_sensitive(c) for c in e.categories) for e in events]),
        "categories": np.array([",".join(sorted(e.categories)) for e in events], dtype=object),
        "mechanisms": np.array([",".join(sorted(e.mechanisms)) for e in events], dtype=object),
        "purpose": np.array([e.purpose for e in events], dtype=object),
        "mode": np.array([e.mode for e in events], dtype=object),
        "grant": np.array([e.grant for e in events], dtype=object),
        "content": np.array([e.content for e in events], dtype=object),
    }
    frame = events_frame(columns, source="transfer", rows=len(events))
    frame["cross_border"] = frame["src_country"] != frame["dst_country"]
    return frame
