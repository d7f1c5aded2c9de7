"""Per-entity time series: bytes and connections per interval per destination (country/party)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkgate.monitor._errors import IngestError


def entity_series(
    events: pd.DataFrame, *, by: str = "dst_country", interval_s: float = 60.0
) -> pd.DataFrame:
    """A frame indexed by interval start (UTC) with columns ``(entity, metric)``, metric being
    ``bytes`` (sent plus received) and ``connections``; empty intervals are zero."""
    if by not in events:
        raise IngestError(f"events have no column {by!r} to group series by", field="--by")
    ts = pd.to_numeric(events["ts"], errors="coerce")
    usable = ts.notna().to_numpy()
    if not usable.any():
        raise IngestError("events have no timestamps; series need 'ts'")
    frame = pd.DataFrame(
        {
            "bucket": (np.floor(ts[usable] / interval_s) * interval_s).to_numpy(),
            "entity": events.loc[usable, by].astype("string").fillna("unknown").to_numpy(),
            "bytes": events.loc[usable, ["bytes_out", "bytes_in"]].fillna(0).sum(axis=1).to_numpy(),
        }
    )
    grouped = frame.groupby(["bucket", "entity"]).agg(
        bytes=("bytes", "sum"), connections=("bytes", "size")
    )
    wide = pd.DataFrame(grouped.unstack("entity").fillna(0.0))
    full = np.arange(wide.index.min(), wide.index.max() + interval_s, interval_s)
    wide = wide.reindex(full, fill_value=0.0)
    wide.index = pd.to_datetime(wide.index, unit="s", utc=True)
    pairs: list[tuple[str, str]] = [(str(c[1]), str(c[0])) for c in wide.columns.tolist()]
    wide.columns = pd.MultiIndex.from_tuples(pairs)
    return pd.DataFrame(wide.sort_index(axis=1))
