"""An online series detector: forecast surprise turned into an anomaly likelihood in [0, 1].

Each point is compared with what came before it only (no look-ahead): its deviation from a
rolling median, in units of the rolling spread of past deviations, averaged over a short
window, then mapped through the normal tail as Numenta's anomaly likelihood does. Scores
stay 0.5 during the warm-up and for a quiet span after each reported onset.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd


def anomaly_likelihood(
    values: npt.ArrayLike,
    *,
    long_window: int = 400,
    short_window: int = 5,
    warmup: int = 50,
    suppress: float = 0.05,
) -> npt.NDArray[np.float64]:
    series = pd.Series(np.asarray(values, dtype=np.float64))
    past = series.shift(1)
    level = past.rolling(long_window, min_periods=warmup).median()
    deviation = (series - level).abs()
    spread = deviation.shift(1).rolling(long_window, min_periods=warmup).median()
    scale = spread.replace(0.0, np.nan).fillna(
        spread[spread > 0].min() if (spread > 0).any() else 1.0
    )
    surprise = (deviation / scale).rolling(short_window, min_periods=1).mean()
    mean = surprise.shift(1).rolling(long_window, min_periods=warmup).mean()
    std = surprise.shift(1).rolling(long_window, min_periods=warmup).std().clip(lower=1e-6)
    z = ((surprise - mean) / std).to_numpy()
    out = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) if v == v else 0.5 for v in z])
    # Report an onset once: after a point this unlikely, the next ``suppress`` share of the
    # series is quiet (one anomaly usually spans many points; only its start is news).
    quiet = max(1, int(suppress * len(out)))
    last = -quiet - 1
    for i in range(len(out)):
        if i - last <= quiet:
            out[i] = min(out[i], 0.5)
        elif out[i] > 0.9999:
            last = i
    return out
