"""An online series detector: shape novelty and range breaks, as an anomaly likelihood.

For each new point the detector sees only the points before it (no look-ahead):

1. *Shape novelty* (a left discord): the Euclidean distance from the last ``window`` points
   to the nearest earlier stretch of ``window`` points that ends at least ``window`` points
   before them. Patterns seen before score near 0, new ones high.
2. *Anomaly likelihood* (Ahmad et al. 2017, Numenta's NAB detector): the mean of the last
   ``short`` novelty values is compared with the mean and spread of the earlier
   ``history`` values; the Gaussian tail gives a likelihood ``L``, reported on NAB's
   log scale ``log(1 - L) / log(1e-10)`` (0.5 is ``L = 1 - 1e-5``). Novelty values of the
   first ``warmup`` points (few earlier windows to compare with, so inflated) are left
   out, and scoring starts once ``warmup`` usable values are in: from point ``2 * warmup``.
3. *Range break*: once ``warmup`` points are seen, a value more than ``tolerance`` of the
   seen range above the largest or below the smallest value seen so far scores 1.
4. *One report per onset*: after a score reaches ``level``, the next ``quiet`` points
   score 0 (an anomaly usually spans many points; only its start is news).
5. *Second opinion* (optional): an ``ArtDetector`` over the same points; a point scores the
   larger of the above and ``art_weight`` times the ART score.

``update`` scores one point at a time; ``score`` does a whole series at once with the same
result (block matrix products instead of a loop), for back-testing.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt
import pandas as pd

from silkgate.monitor._art import ArtDetector

Series = npt.NDArray[np.float64]

_LOG_FLOOR = math.log(1.0 - 0.9999999999)


def ndtr(z: float) -> float:
    """The standard normal distribution function (NaN stays NaN)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def log_likelihood(likelihood: Series) -> Series:
    """Numenta's log scale: 0 for ``L = 0``, 0.5 for ``L = 1 - 1e-5``, 1 for ``1 - 1e-10``."""
    return np.asarray(np.log(1.0000000001 - likelihood) / _LOG_FLOOR, dtype=np.float64)


class NoveltyDetector:
    """Streaming series detector; higher scores are more anomalous, in ``[0, 1]``.

    ``quiet`` is in points; NAB-style runs pass a share of the series length (NAB tells
    detectors the length of each file up front, as it does for the probationary period).
    ``max_history`` bounds the past windows searched (memory and time per point).
    """

    def __init__(
        self,
        *,
        window: int = 32,
        short: int = 5,
        history: int = 8640,
        warmup: int = 300,
        tolerance: float = 0.03,
        level: float = 0.4,
        quiet: int = 0,
        max_history: int = 20_000,
        art: ArtDetector | None = None,
        art_weight: float = 0.75,
    ) -> None:
        if window < 2 or short < 1 or warmup < 2 or history < warmup:
            raise ValueError("need window >= 2, short >= 1 and 2 <= warmup <= history")
        if not 0.0 < art_weight <= 1.0:
            raise ValueError(f"art_weight: {art_weight} is not in (0, 1]")
        self.window = window
        self.short = short
        self.history = history
        self.warmup = warmup
        self.tolerance = tolerance
        self.level = level
        self.quiet = quiet
        self.max_history = max_history
        self.art = art
        self.art_weight = art_weight
        self.reset()

    def reset(self) -> None:
        """Forget everything seen (start a new series)."""
        self._origin: float | None = None
        self._values: list[float] = []
        self._windows: list[npt.NDArray[np.float64]] = []
        self._raw_recent: deque[float] = deque(maxlen=self.short)
        self._raw_past: deque[float] = deque(maxlen=self.history)
        self._low = math.inf
        self._high = -math.inf
        self._since_report = self.quiet + 1
        if self.art is not None:
            self.art.reset()

    # -- streaming ---------------------------------------------------------------------

    def update(self, value: float) -> float:
        """Score one new point given everything before it."""
        if self._origin is None:
            self._origin = float(value)
        x = float(value) - self._origin
        self._values.append(x)
        w = self.window
        raw = 0.0
        if len(self._values) >= w:
            current = np.asarray(self._values[-w:], dtype=np.float64)
            self._windows.append(current)
            usable = len(self._windows) - w  # windows ending at least w points earlier
            if usable > 0:
                first = max(0, usable - self.max_history)
                past = np.asarray(self._windows[first:usable])
                raw = float(np.sqrt(((past - current) ** 2).sum(axis=1).min()))
        if len(self._values) <= self.warmup:
            raw = math.nan  # too few earlier windows to compare with: not yet evidence
        self._raw_recent.append(raw)
        likelihood = 0.5
        past_raw = np.asarray(self._raw_past, dtype=np.float64)
        valid = past_raw[~np.isnan(past_raw)]
        if len(valid) >= self.warmup and not math.isnan(raw):
            mean = float(valid.mean())
            spread = max(float(valid.std(ddof=1)), 0.03 * abs(mean) + 1e-6)
            z = (float(np.nanmean(np.asarray(self._raw_recent))) - mean) / spread
            likelihood = float(ndtr(z))
        self._raw_past.append(raw)
        score = float(log_likelihood(np.array([likelihood]))[0])
        if len(self._values) > self.warmup and self._high > self._low:
            margin = (self._high - self._low) * self.tolerance
            if x > self._high + margin or x < self._low - margin:
                score = 1.0
        self._low, self._high = min(self._low, x), max(self._high, x)
        score = self._suppress(score)
        if self.art is not None:
            score = max(score, self.art_weight * self.art.update(value))
        return score

    def _suppress(self, score: float) -> float:
        self._since_report += 1
        if self._since_report <= self.quiet:
            return 0.0
        if score >= self.level:
            self._since_report = 0
        return score

    # -- batch ----------------------------------------------------------------------------

    def score(self, values: npt.ArrayLike) -> Series:
        """Scores of a whole series, equal to calling ``update`` on each point in turn
        (after ``reset``); the detector is left reset."""
        self.reset()
        x = np.asarray(values, dtype=np.float64)
        if len(x) == 0:
            return np.empty(0)
        x = x - x[0]
        raw = self._discords(x)
        raw[: self.warmup] = np.nan
        frame = pd.Series(raw)
        recent = frame.rolling(self.short, min_periods=1).mean().to_numpy()
        past = frame.shift(1).rolling(self.history, min_periods=self.warmup)
        mean = past.mean().to_numpy()
        spread = np.maximum(past.std().to_numpy(), 0.03 * np.abs(mean) + 1e-6)
        z = (recent - mean) / spread
        likelihood = np.array([ndtr(v) for v in z.tolist()], dtype=np.float64)
        likelihood[np.isnan(likelihood)] = 0.5
        scores = log_likelihood(likelihood)
        low = np.minimum.accumulate(x)
        high = np.maximum.accumulate(x)
        low_before, high_before = np.r_[np.inf, low[:-1]], np.r_[-np.inf, high[:-1]]
        margin = (high_before - low_before) * self.tolerance
        with np.errstate(invalid="ignore"):
            breaks = (high_before > low_before) & (
                (x > high_before + margin) | (x < low_before - margin)
            )
        breaks[: self.warmup] = False
        scores[breaks] = 1.0
        out = np.empty_like(scores)
        for i, s in enumerate(scores.tolist()):
            out[i] = self._suppress(s)
        if self.art is not None:
            out = np.maximum(out, self.art_weight * self.art.score(values))
        self.reset()
        return out

    def _discords(self, x: Series, block: int = 1024) -> Series:
        """Left discord distance of the window ending at each point (0 where none)."""
        w, n = self.window, len(x)
        raw = np.zeros(n)
        if n < 2 * w:
            return raw
        windows = np.lib.stride_tricks.sliding_window_view(x, w)
        norms = (windows * windows).sum(axis=1)
        count = len(windows)
        for start in range(w, count, block):
            stop = min(count, start + block)
            first = max(0, start - w - self.max_history + 1)
            upto = stop - w  # windows ending at least w points before the last query
            products = windows[start:stop] @ windows[first:upto].T
            squared = norms[start:stop, None] + norms[None, first:upto] - 2.0 * products
            query = np.arange(start, stop)[:, None]
            candidate = np.arange(first, upto)[None, :]
            visible = (candidate <= query - w) & (candidate > query - w - self.max_history)
            squared = np.where(visible, squared, np.inf)
            raw[start + w - 1 : stop + w - 1] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
        return raw
