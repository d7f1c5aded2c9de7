"""`silkgate monitor`: score flow tables, watch a file or a NATS subject, forecast series."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._state import state
from silkgate.domain import InvalidInput

monitor_app = typer.Typer(
    help="Security monitor: anomaly scores, alerts, forecasts.", no_args_is_help=True
)

# Spelled out so that `--help` does not load the monitor (torch); a test keeps it in step.
FORMATS = ("auto", "zeek", "eve", "netflow", "csv", "parquet", "nslkdd", "transfers")
_FORMAT_HELP = f"input format: {'|'.join(FORMATS)}"


def _format(value: str) -> str:

    if value not in FORMATS:
        raise InvalidInput(
            f"--format {value!r} is not one of {', '.join(FORMATS)}", field="--format"
        )
    return value


@monitor_app.command("score")
def score(
    ctx: typer.Context,
    train: Annotated[Path, typer.Option("--train", help="records presumed mostly normal")],
    input_path: Annotated[Path, typer.Option("--input", help="records to score")],
    out: Annotated[Path, typer.Option("--out", help="CSV with header index,score")],
    fmt: Annotated[str, typer.Option("--format", help=_FORMAT_HELP)] = "auto",
    ignore_columns: Annotated[
        str, typer.Option("--ignore-columns", help="comma-separated columns never used")
    ] = "",
) -> None:
    """Fit on TRAIN and write one anomaly score per INPUT record, in input order."""
    from silkgate.monitor import score_file

    cli = state(ctx)
    ignored = tuple(c.strip() for c in ignore_columns.split(",") if c.strip())
    summary = score_file(train, input_path, out, format=_format(fmt), ignore_columns=ignored)
    payload = {
        "out": str(out),
        "rows": summary.rows,
        "train_rows": summary.train_rows,
        "features": summary.features,
        "threshold": round(summary.threshold, 6),
        "above_threshold": summary.above_threshold,
    }
    if cli.as_json:
        cli.emit(payload)
    else:
        cli.console.print(
            f"scored {summary.rows:,} records ({summary.features} features); "
            f"{summary.above_threshold:,} above the threshold → {out}"
        )


@monitor_app.command("run")
def run(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--source", help="FILE or nats://SUBJECT")],
    train: Annotated[Path, typer.Option("--train", help="records presumed mostly normal")],
    fmt: Annotated[str, typer.Option("--format", help=_FORMAT_HELP)] = "auto",
    server: Annotated[str, typer.Option("--server", help="NATS server URL")] = (
        "nats://127.0.0.1:4222"
    ),
    idle_timeout: Annotated[
        float, typer.Option("--idle-timeout", help="stop after this many idle seconds; 0: never")
    ] = 0.0,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1)] = 10_000,
) -> None:
    """Score a file in batches, or a NATS JetStream subject continuously; store the alerts."""
    from silkgate.monitor import AlertStore, Monitor, read_events, run_stream

    cli = state(ctx)
    settings = cli.settings()
    store = AlertStore(settings.home / "monitor" / "alerts.jsonl")
    monitor = Monitor().fit(read_events(train, _format(fmt)))
    if source.startswith("nats://"):
        subject = source.removeprefix("nats://")
        if not subject:
            raise InvalidInput("--source nats://SUBJECT needs a subject", field="--source")
        stats = run_stream(server, subject, monitor, store, idle_timeout_s=idle_timeout or None)
        payload: dict[str, object] = {
            "messages": stats.messages,
            "records": stats.records,
            "alerts": stats.alerts,
        }
    else:
        events = read_events(Path(source), _format(fmt))
        alerts = 0
        for start in range(0, len(events), batch_rows):
            chunk = events.iloc[start : start + batch_rows].reset_index(drop=True)
            found = [a.model_copy(update={"index": a.index + start}) for a in monitor.detect(chunk)]
            store.add(found)
            alerts += len(found)
        payload = {"records": len(events), "alerts": alerts}
    payload["store"] = str(store.path)
    if cli.as_json:
        cli.emit(payload)
    else:
        cli.console.print(", ".join(f"{k}={v}" for k, v in payload.items()))


@monitor_app.command("forecast")
def forecast(
    ctx: typer.Context,
    input_path: Annotated[Path, typer.Option("--input", help="flow or transfer records")],
    out: Annotated[Path, typer.Option("--out", help="PNG plot to write")],
    fmt: Annotated[str, typer.Option("--format", help=_FORMAT_HELP)] = "auto",
    by: Annotated[str, typer.Option("--by", help="entity column")] = "dst_country",
    metric: Annotated[str, typer.Option("--metric", help="bytes or connections")] = "bytes",
    interval: Annotated[float, typer.Option("--interval", help="seconds per point", min=1)] = 60.0,
    top: Annotated[int, typer.Option("--top", help="busiest entities to plot", min=1)] = 4,
) -> None:
    """ARIMA per entity series with prediction intervals; points outside are anomalies."""
    from silkgate.monitor import (
        MonitorError,
        entity_series,
        forecast_series,
        plot_forecasts,
        read_events,
    )

    cli = state(ctx)
    if metric not in ("bytes", "connections"):
        raise InvalidInput(f"--metric {metric!r} is not bytes or connections", field="--metric")
    series = entity_series(read_events(input_path, _format(fmt)), by=by, interval_s=interval)
    columns = [c for c in series.columns if c[1] == metric]
    totals = {c: float(series[c].to_numpy().sum()) for c in columns}
    busiest = sorted(columns, key=lambda c: -totals[c])[:top]
    forecasts = []
    for column in busiest:
        values = series[column].rename(f"{column[0]} {metric}")
        try:
            forecasts.append(forecast_series(values))
        except MonitorError:
            continue
    plot_forecasts(forecasts, out)
    summary = [
        {"name": f.name, "points": len(f.observed), "anomalies": len(f.anomalies)}
        for f in forecasts
    ]
    if cli.as_json:
        cli.emit({"out": str(out), "series": summary})
    else:
        for item in summary:
            cli.console.print(f"{item['name']}: {item['anomalies']} anomalies")
        cli.console.print(f"plot → {out}")
