"""The security monitor's findings: alerts with their explanations and compliance citations,
and the traffic per destination with its ARIMA forecast band, drawn as SVG on the server.

Alerts are the monitor's store (``HOME/monitor/alerts.jsonl``); traffic is the transfer
events under ``HOME/monitor`` (``transfers.jsonl`` written by the monitor's runs and the
demo, ``gate-transfers.jsonl`` by the gate's downloads), bytes summed per interval per
destination country or party. Forecasts are cached until those files change.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from silkgate.monitor import (
    Alert,
    AlertStore,
    Forecast,
    MonitorError,
    entity_series,
    forecast_series,
    read_events,
)
from silkgate.web._render import render, templates
from silkgate.web._session import Viewer, platform_of, require

router = APIRouter(include_in_schema=False)

TRANSFER_FILES = ("transfers.jsonl", "gate-transfers.jsonl")
GroupBy = Literal["dst_country", "dst_party", "party"]
GROUPINGS: dict[GroupBy, str] = {
    "dst_country": "destination country",
    "dst_party": "receiving party",
    "party": "sending party",
}
TOP_SERIES = 4
MAX_ALERTS = 200
INTERVALS_S = (86_400.0, 21_600.0, 3_600.0, 900.0, 300.0, 60.0)
"""Candidate intervals, widest first; the widest giving ``MIN_POINTS`` points is used."""
MIN_POINTS = 48
GAP_S = 7 * 86_400.0
"""Events further apart than this start a new stretch; the busiest stretch is drawn."""
WIDTH, HEIGHT, LEFT, TOP = 640.0, 160.0, 64.0, 10.0


@dataclass(frozen=True, slots=True)
class Chart:
    """One entity's series as SVG coordinates (a viewBox of WIDTH × HEIGHT)."""

    name: str
    total: float
    points: int
    observed: str
    band: str
    future_band: str
    future: str
    anomalies: tuple[tuple[float, float, str], ...]
    forecast_x: float
    y_max: float
    start: str
    end: str
    note: str


def _compact(value: float) -> str:
    """``52.8 M``, ``310 k``: an axis label that fits the chart's margin."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.0f}"


templates.env.filters["compact"] = _compact


def _interval(span_s: float) -> float:
    return next((i for i in INTERVALS_S if span_s / i >= MIN_POINTS), INTERVALS_S[-1])


def _path(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def _chart(forecast: Forecast | None, observed: pd.Series, note: str) -> Chart:
    future = forecast.future if forecast is not None else pd.DataFrame()
    count = len(observed) + len(future)
    peak = float(observed.max()) if len(observed) else 0.0
    top = peak
    if forecast is not None:
        upper = [*forecast.upper.to_numpy(), *forecast.future["upper"].to_numpy()]
        finite = [float(v) for v in upper if math.isfinite(float(v))]
        top = max(top, min(max(finite, default=0.0), 10 * peak))
    y_max = top * 1.25 if top > 0 else 1.0
    inner_w, inner_h = WIDTH - LEFT - 8.0, HEIGHT - TOP - 22.0

    def x(position: int) -> float:
        return LEFT + inner_w * position / max(count - 1, 1)

    def y(value: float) -> float:
        """On a log1p scale: the scale ARIMA was fitted on, where its interval is symmetric."""
        clipped = min(max(value, 0.0), y_max) if math.isfinite(value) else y_max
        return TOP + inner_h * (1.0 - math.log1p(clipped) / math.log1p(y_max))

    index = {ts: i for i, ts in enumerate(observed.index)}
    values = [float(v) for v in observed.to_numpy()]
    band = future_band = future_line = ""
    marks: list[tuple[float, float, str]] = []
    if forecast is not None:
        checked = [index[ts] for ts in forecast.lower.index]
        lower = [y(float(v)) for v in forecast.lower.to_numpy()]
        upper = [y(float(v)) for v in forecast.upper.to_numpy()]
        xs = [x(i) for i in checked]
        band = _path(xs + xs[::-1], upper + lower[::-1])
        ahead = list(range(len(observed), count))
        fx = [x(i) for i in ahead]
        future_band = _path(
            fx + fx[::-1],
            [y(float(v)) for v in future["upper"]] + [y(float(v)) for v in future["lower"]][::-1],
        )
        future_line = _path([x(len(observed) - 1), *fx],
                            [y(values[-1]), *(y(float(v)) for v in future["mean"])])  # fmt: skip
        marks = [
            (x(index[ts]), y(float(v)), f"{ts:%Y-%m-%d %H:%M} UTC: {v:,.0f} bytes")
            for ts, v in forecast.anomalies.items()
        ]
    return Chart(
        name=str(observed.name),
        total=float(observed.sum()),
        points=len(observed),
        observed=_path([x(i) for i in range(len(values))], [y(v) for v in values]),
        band=band,
        future_band=future_band,
        future=future_line,
        anomalies=tuple(marks),
        forecast_x=x(len(observed) - 1),
        y_max=y_max,
        start=f"{observed.index[0]:%Y-%m-%d %H:%M}" if len(observed) else "",
        end=f"{observed.index[-1]:%Y-%m-%d %H:%M}" if len(observed) else "",
        note=note,
    )


@functools.lru_cache(maxsize=8)
def _charts(
    files: tuple[tuple[str, float, int], ...], by: GroupBy
) -> tuple[tuple[Chart, ...], float, int]:
    """Charts of the busiest entities; ``files`` (path, mtime, size) keys the cache."""
    frames = [read_events(path, "transfers") for path, _mtime, _size in files]
    events = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    events, left_out = _busiest_stretch(events)
    if events.empty:
        return (), 0.0, left_out
    ts = pd.to_numeric(events["ts"])
    interval = _interval(float(ts.max() - ts.min()))
    series = entity_series(events, by=by, interval_s=interval)
    columns = [c for c in series.columns if c[1] == "bytes"]
    busiest = sorted(columns, key=lambda c: -float(series[c].to_numpy().sum()))[:TOP_SERIES]
    charts = []
    for column in busiest:
        observed = series[column].astype(float).rename(column[0])
        try:
            forecast: Forecast | None = forecast_series(observed)
            note = ""
        except MonitorError:
            forecast, note = None, f"{len(observed)} points: too few for an ARIMA forecast"
        charts.append(_chart(forecast, observed, note))
    return tuple(charts), interval, left_out


def _busiest_stretch(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The events of the stretch without a gap of ``GAP_S`` that holds the most of them, and
    how many are left out: a series over months of silence would show nothing."""
    ts = pd.to_numeric(events["ts"], errors="coerce")
    timed = events[ts.notna()].assign(_ts=ts[ts.notna()]).sort_values("_ts")
    if timed.empty:
        return timed, len(events)
    stretch = (timed["_ts"].diff() > GAP_S).cumsum()
    busiest = stretch.value_counts().idxmax()
    chosen = timed[stretch == busiest].drop(columns="_ts").reset_index(drop=True)
    return chosen, len(events) - len(chosen)


def traffic(directory: Path, by: GroupBy) -> tuple[tuple[Chart, ...], float, int]:
    """The busiest entities' byte series with forecasts, the interval in seconds and how
    many events lie outside the stretch shown."""
    files = tuple(
        (str(p), p.stat().st_mtime, p.stat().st_size)
        for p in (directory / name for name in TRANSFER_FILES)
        if p.is_file() and p.stat().st_size > 0
    )
    return _charts(files, by) if files else ((), 0.0, 0)


def _explained(alert: Alert) -> str:
    if alert.message:
        return alert.message
    if alert.reasons:
        return "stands out in " + ", ".join(
            f"{r.column} ({r.weight:.0%})" for r in alert.reasons[:4]
        )
    return ""


@router.get("/monitor", response_class=HTMLResponse)
def monitor(
    request: Request,
    viewer: Viewer,
    by: Annotated[GroupBy, Query(description="the entity traffic is grouped by")] = "dst_country",
) -> HTMLResponse:
    require(viewer, "auditor", "regulator")
    directory = platform_of(request).settings.home / "monitor"
    alerts = AlertStore(directory / "alerts.jsonl").alerts()
    kinds = Counter(a.kind for a in alerts)
    newest = sorted(alerts, key=lambda a: (a.ts is not None, a.ts, a.score), reverse=True)
    rows = [{"alert": a, "why": _explained(a)} for a in newest[:MAX_ALERTS]]
    charts, interval, left_out = traffic(directory, by)
    return render(request, "monitor.html", "monitor", rows=rows, total=len(alerts),
                  kinds=dict(sorted(kinds.items())), charts=charts, interval=interval,
                  left_out=left_out, by=by, groupings=GROUPINGS, width=WIDTH, height=HEIGHT,
                  left=LEFT, top=TOP)  # fmt: skip
