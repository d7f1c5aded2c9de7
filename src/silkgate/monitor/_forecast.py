"""ARIMA forecasts (statsmodels) per series, with prediction intervals; points outside the
interval of their one-step-ahead forecast are anomalies."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA

from silkgate.monitor._errors import MonitorError


@dataclass(frozen=True, slots=True)
class Forecast:
    """One series: observed values, one-step predictions with intervals over the checked
    part, the forecast beyond the end, and which checked points fell outside."""

    name: str
    observed: pd.Series
    predicted: pd.Series
    lower: pd.Series
    upper: pd.Series
    future: pd.DataFrame
    """columns ``mean``, ``lower``, ``upper``."""
    anomalies: pd.Series
    """observed values outside their interval, indexed like ``observed``."""


def forecast_series(
    series: pd.Series,
    *,
    order: tuple[int, int, int] = (2, 1, 1),
    train_share: float = 0.5,
    alpha: float = 0.01,
    horizon: int = 12,
) -> Forecast:
    """Fit ARIMA on the first ``train_share`` of ``series``, then check every later point
    against its one-step-ahead ``1 - alpha`` interval, and forecast ``horizon`` steps on."""
    values = pd.Series(np.log1p(np.maximum(series.to_numpy(dtype=float), 0.0)), index=series.index)
    split = int(len(values) * train_share)
    if split < sum(order) + 4 or len(values) - split < 1:
        raise MonitorError(f"series {series.name!r} is too short for ARIMA{order}: {len(values)}")
    positional = values.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        fitted = ARIMA(positional[:split], order=order).fit()
        extended = fitted.append(positional[split:], refit=False)
        prediction = extended.get_prediction(start=split, end=len(values) - 1, dynamic=False)
        frame = prediction.summary_frame(alpha=alpha)
        ahead = extended.get_forecast(horizon).summary_frame(alpha=alpha)
    back = np.expm1
    index = series.index[split:]
    predicted = pd.Series(back(frame["mean"].to_numpy()), index=index)
    lower = pd.Series(back(frame["mean_ci_lower"].to_numpy()), index=index)
    upper = pd.Series(back(frame["mean_ci_upper"].to_numpy()), index=index)
    observed = series.astype(float)
    checked = observed.iloc[split:]
    outside = (checked > upper) | (checked < lower)
    step = series.index[-1] - series.index[-2] if len(series) > 1 else 1
    future_index = [series.index[-1] + step * (i + 1) for i in range(horizon)]
    future = pd.DataFrame(
        {
            "mean": back(ahead["mean"].to_numpy()),
            "lower": back(ahead["mean_ci_lower"].to_numpy()),
            "upper": back(ahead["mean_ci_upper"].to_numpy()),
        },
        index=future_index,
    )
    return Forecast(
        name=str(series.name),
        observed=observed,
        predicted=predicted,
        lower=lower,
        upper=upper,
        future=future,
        anomalies=checked[outside],
    )


def plot_forecasts(forecasts: list[Forecast], path: Path) -> Path:
    """One panel per series: observed, interval band, forecast, anomalies marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not forecasts:
        raise MonitorError("nothing to plot: no series were forecast")
    figure, axes = plt.subplots(
        len(forecasts), 1, figsize=(10, 2.6 * len(forecasts)), squeeze=False
    )
    for ax, item in zip(axes[:, 0], forecasts, strict=True):
        ax.plot(item.observed.index, item.observed.to_numpy(), lw=0.8, label="observed")
        ax.fill_between(item.lower.index, item.lower, item.upper, alpha=0.3, label="interval")
        ax.plot(item.future.index, item.future["mean"], ls="--", label="forecast")
        ax.fill_between(item.future.index, item.future["lower"], item.future["upper"], alpha=0.2)
        ax.scatter(item.anomalies.index, item.anomalies.to_numpy(), color="red", s=14,
                   label="anomaly", zorder=3)  # fmt: skip
        ax.set_title(item.name, fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
