"""Per-entity series, the LSTM detector, ARIMA forecasts and the PNG plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from silkgate.monitor import LstmSeriesDetector, entity_series, forecast_series, plot_forecasts


def _daily(points: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(points)
    values = 1000 + 300 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 20, points)
    index = pd.date_range("2026-03-01", periods=points, freq="h", tz="UTC")
    return pd.Series(values, index=index, name="SG bytes")


def test_entity_series_counts_bytes_and_connections_per_interval() -> None:
    events = pd.DataFrame(
        {"ts": [0.0, 10.0, 70.0, 200.0], "dst_country": ["SG", "SG", "TH", "SG"],
         "bytes_out": [100.0, 50.0, 10.0, 1.0], "bytes_in": [0.0, 0.0, 5.0, np.nan]}
    )  # fmt: skip

    series = entity_series(events, interval_s=60)

    assert list(series[("SG", "bytes")]) == [150.0, 0.0, 0.0, 1.0]
    assert list(series[("TH", "connections")]) == [0.0, 1.0, 0.0, 0.0]


def test_lstm_scores_a_spike_highest() -> None:
    series = _daily(24 * 8, 0).to_frame()
    test = series.copy()
    test.iloc[150, 0] = 20_000.0

    detector = LstmSeriesDetector(window=12, hidden=8, epochs=8).fit(series.iloc[:120])
    scores = detector.score(test)

    assert int(np.nanargmax(scores.to_numpy()[:, 0])) == 150


def test_arima_flags_points_outside_the_interval_and_plots(tmp_path: Path) -> None:
    series = _daily(24 * 6, 1)
    series.iloc[120] = 5_000.0

    result = forecast_series(series, horizon=6)
    path = plot_forecasts([result], tmp_path / "forecast.png")

    assert series.index[120] in result.anomalies.index
    assert len(result.future) == 6
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
