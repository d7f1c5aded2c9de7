"""An online series detector after ARTime (Hampton, 2021): fuzzy ART categories of short
stretches of the series; a stretch that resonates with no category learned so far is news.

For each new point the detector sees only the points before it (no look-ahead):

1. *Downsampling*: every ``step`` points one value stands for the block - its extreme (the
   one further from a running average) when it departs from the block mean by 10 % or
   more, else the mean, so a one-point spike survives.
2. *Level coding*: values are put on ``[0, 1]`` by the range seen in the probationary period
   (that range lands on ``[headroom, 1 - headroom]``; later values are clipped), rounded to
   one of ``levels`` steps and snapped to the running median level when within ``snap`` of
   it (noise around the usual level is not a pattern).
3. *Features* of the last ``window`` coded values: their orthonormal Haar transform and the
   values themselves, each rescaled to ``[0, 1]``.
4. *Fuzzy ART* with complement coding: a feature vector's activation for a category is
   ``match**3 * level_match**2`` (``match`` the fuzzy overlap ``|min(x, w)| / |w|``,
   ``level_match`` the same over the latest value alone). At or above the upper vigilance
   the best category learns (``w = min(x, w)``); between the bounds a new category is made
   quietly; below the lower bound a new category is made and the stretch is *novel*.
5. *Vigilance* starts from the probationary stretches (an ART at ``initial_vigilance`` run
   over them, most unusual first; the mean activation of the second half) and is adapted
   online: the upper bound follows the mean activation, the lower bound rises towards the
   lowest recent activation or falls by the typical recent shortfall, never below the
   activations that were reported.
6. *Reporting*: a novel stretch after the probationary period scores its confidence (how far
   its activation falls below the bounds, plus the level mismatch), unless it is masked and
   not clearly below the last reported activation. Masked: within ``1.5 * window`` steps of
   a report, or since a new category appeared or the vigilance changed, until ``1.5 *
   window`` steps pass without a new category. Every other point scores 0.

``update`` scores one point at a time; ``score`` runs a whole series through it.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt

from silkgate.domain import InvalidInput

Series = npt.NDArray[np.float64]

_SPIKE_SHARE = 0.1  # a block's extreme stands for it when it departs this much from the mean
_UPPER_CAP = 0.97
_RISE_SHARE = 0.19
_SHORTFALL_FLOOR, _SHORTFALL_CAP = 0.05, 0.37


def haar(values: Series) -> Series:
    """The full orthonormal Haar transform of a power-of-two-long vector: the overall
    average first, then details from the coarsest scale to the finest."""
    approx = np.asarray(values, dtype=np.float64)
    details: list[Series] = []
    while len(approx) > 1:
        pairs = approx.reshape(-1, 2)
        details.append((pairs[:, 0] - pairs[:, 1]) / math.sqrt(2.0))
        approx = (pairs[:, 0] + pairs[:, 1]) / math.sqrt(2.0)
    return np.concatenate([approx, *reversed(details)])


def _unit(values: Series) -> Series:
    low = float(values.min())
    spread = float(values.max()) - low
    return (values - low) / spread if spread > 0 else values - low


def cosine(a: Series, b: Series) -> float:
    """Cosine similarity; a zero vector is as similar to another as the other is short."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 1.0 - max(na, nb)
    return float(a @ b) / (na * nb)


class FuzzyArt:
    """Fuzzy ART with complement coding and two vigilance bounds (``lower <= upper``)."""

    def __init__(self, dimension: int, *, lower: float, upper: float) -> None:
        self.dimension = dimension
        self.lower, self.upper = lower, upper
        self._weights = np.empty((64, 2 * dimension))
        self.categories = 0
        # the latest value and its complement: the level the stretch ends at
        self._level = [dimension - 1, 2 * dimension - 1]

    def _add(self, coded: Series) -> None:
        if self.categories == len(self._weights):
            self._weights = np.concatenate([self._weights, np.empty_like(self._weights)])
        self._weights[self.categories] = coded
        self.categories += 1

    def present(self, features: Series, *, learn: bool = True) -> tuple[float, float, bool]:
        """(activation, level match, novel) of the best category; learns unless told not to."""
        coded = np.concatenate([features, 1.0 - features])
        if self.categories == 0:
            if learn:
                self._add(coded)
            return 0.0, 0.0, True
        weights = self._weights[: self.categories]
        overlap = np.minimum(weights, coded)
        match = overlap.sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-3)
        level = overlap[:, self._level].sum(axis=1) / np.maximum(
            weights[:, self._level].sum(axis=1), 1e-9
        )
        activation = match**3 * level**2
        best = int(np.argmax(activation))
        top, top_level = float(activation[best]), float(level[best])
        novel = top < self.lower
        if learn:
            if top >= self.upper:
                self._weights[best] = overlap[best]
            else:
                self._add(coded)
        return top, top_level, novel


class ArtDetector:
    """Streaming ART detector; scores in ``[0, 1]``, 0 unless a novel stretch is reported.

    ``probation`` is the number of points learned from before anything is reported (NAB
    tells detectors each file's length; its probationary period is 15 % of it, at most 750).
    ``headroom`` and ``levels`` were chosen on the tuning half of NAB (docs/monitor.md); the
    other defaults are ARTime's.
    """

    def __init__(
        self,
        *,
        probation: int,
        window: int = 8,
        windows_per_probation: int = 13,
        levels: int = 40,
        snap: float = 0.075,
        initial_vigilance: float = 0.8,
        headroom: float = 0.3,
    ) -> None:
        if window < 2 or window & (window - 1):
            raise InvalidInput(f"window: {window} is not a power of two of at least 2")
        if windows_per_probation < 1 or levels < 2:
            raise InvalidInput(
                f"windows_per_probation ({windows_per_probation}) must be at least 1 and "
                f"levels ({levels}) at least 2"
            )
        if not 0.0 <= headroom < 0.5 or not 0.0 <= snap < 1.0:
            raise InvalidInput(
                f"headroom ({headroom}) must be in [0, 0.5) and snap ({snap}) in [0, 1)"
            )
        if not 0.0 < initial_vigilance < 1.0:
            raise InvalidInput(f"initial_vigilance: {initial_vigilance} is not in (0, 1)")
        self.step = max(1, round(probation / (window * windows_per_probation)))
        self.trend = probation // self.step  # downsampled points in the probationary period
        if self.trend < 2 * window:
            raise InvalidInput(
                f"probation: {probation} points give {self.trend} downsampled points; "
                f"need at least {2 * window} (twice the window of {window})"
            )
        self.probation = probation
        self.window = window
        self.levels = levels
        self.snap = snap
        self.initial_vigilance = initial_vigilance
        self.headroom = headroom
        self.mask = int(1.5 * window)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen (start a new series)."""
        self._seen = 0
        self._block: deque[float] = deque(maxlen=self.step)
        self._average = math.nan
        self._early: list[float] = []  # downsampled values of the probationary period
        self._low, self._span = 0.0, 1.0
        self._histogram = np.zeros(self.levels + 1, dtype=np.int64)
        self._coded: deque[float] = deque(maxlen=self.window)
        self._index = 0  # downsampled points so far
        self._art = FuzzyArt(2 * self.window, lower=0.0, upper=0.0)
        self._activation_sum = 0.0
        self._presented = 0
        self._activations: deque[float] = deque([1.0] * (self.trend // 2 + 1))
        self._shortfalls: deque[float] = deque([0.0] * (self.trend + 1))
        self._reported: list[float] = []
        self._last_report = 0
        self._last_report_activation = 0.0
        self._last_adapt = 0
        self._masked_after_category = False
        self._steps_without_category = 0

    # -- streaming ---------------------------------------------------------------------

    def update(self, value: float) -> float:
        """Score one new point given everything before it."""
        x = float(value)
        if not math.isfinite(x):
            raise InvalidInput(f"value {value!r} is not a finite number")
        self._block.append(x)
        self._seen += 1
        if self._seen % self.step:
            return 0.0
        down = self._downsample()
        if self._index < self.trend:
            self._early.append(down)
            self._index += 1
            if self._index == self.trend:
                self._learn_probation()
            return 0.0
        self._index += 1
        return self._detect(self._push(down), self._index)

    def score(self, values: npt.ArrayLike) -> Series:
        """Scores of a whole series, one ``update`` per point (after ``reset``)."""
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 1:
            raise InvalidInput(f"values: expected one series (1-D), got shape {x.shape}")
        self.reset()
        out = np.array([self.update(v) for v in x.tolist()], dtype=np.float64)
        self.reset()
        return out

    # -- coding --------------------------------------------------------------------------

    def _downsample(self) -> float:
        block = np.asarray(self._block)
        mean = float(block.mean())
        self._average = mean if math.isnan(self._average) else (self._average + mean) / 2
        high, low = float(block.max()), float(block.min())
        extreme = low if abs(high - self._average) < abs(low - self._average) else high
        return extreme if abs(extreme - mean) >= _SPIKE_SHARE * abs(mean) else mean

    def _code(self, down: float) -> None:
        scaled = (down - self._low) / self._span
        unit = min(1.0, max(0.0, self.headroom + (1.0 - 2.0 * self.headroom) * scaled))
        level = round(unit * self.levels)
        self._histogram[level] += 1
        counts = np.cumsum(self._histogram)
        median = int(np.searchsorted(counts, (counts[-1] + 1) // 2))
        coded = level / self.levels
        if abs(coded - median / self.levels) < self.snap:
            coded = median / self.levels
        self._coded.append(coded)

    def _push(self, down: float) -> Series | None:
        """Code one downsampled value; the features of the window it completes, if any."""
        self._code(down)
        if len(self._coded) < self.window:
            return None
        recent = np.asarray(self._coded, dtype=np.float64)
        features: Series = np.concatenate([_unit(haar(_unit(recent))), recent])
        return features

    # -- probationary period ---------------------------------------------------------------

    def _learn_probation(self) -> None:
        early = np.asarray(self._early)
        self._low = float(early.min())
        span = float(early.max()) - self._low
        self._span = span if span > 0 else max(abs(self._low), 1.0)
        features = [self._push(v) for v in self._early]
        complete = [f for f in features if f is not None]
        vigilance = self._initial_vigilance(np.asarray(complete))
        self._art.lower = self._art.upper = vigilance
        for index, f in enumerate(features, start=1):
            self._detect(f, index)
        self._early = []

    def _initial_vigilance(self, features: npt.NDArray[np.float64]) -> float:
        """The mean activation over the second half of a trial run, most unusual first."""
        norms = np.linalg.norm(features, axis=1)
        unit = features / np.where(norms > 0, norms, 1.0)[:, None]
        similarity = unit @ unit.T
        zero = norms == 0
        if zero.any():  # a flat stretch is as similar to another as the other is short
            similarity[zero, :] = 1.0 - norms[None, :]
            similarity[:, zero] = 1.0 - norms[:, None]
        np.fill_diagonal(similarity, 1.0)
        order = np.argsort(similarity.sum(axis=0), kind="stable")
        trial = FuzzyArt(self._art.dimension, lower=self.initial_vigilance,
                         upper=self.initial_vigilance)  # fmt: skip
        activations = [trial.present(features[i])[0] for i in order]
        return float(np.mean(activations[len(activations) // 2 :]))

    # -- detection ---------------------------------------------------------------------------

    def _detect(self, features: Series | None, index: int) -> float:
        if features is None:
            return 0.0
        art = self._art
        since_report = index - self._last_report
        adapt = since_report == self.mask or index - self._last_adapt >= self.trend // 2
        masked_after_report = since_report <= self.mask
        if (
            self._masked_after_category
            and index > self.trend + self.mask
            and self._steps_without_category >= self.mask
        ):
            self._masked_after_category = False
        activation, level, novel = art.present(features)
        self._steps_without_category = 0 if novel else self._steps_without_category + 1
        self._activation_sum += activation
        self._presented += 1
        self._activations.popleft()
        self._activations.append(activation)
        self._shortfalls.popleft()
        self._shortfalls.append(art.upper - activation)
        if since_report < self.mask and self._reported:
            self._reported[-1] = min(self._reported[-1], activation)
        masked = self._masked_after_category or masked_after_report
        clearly_below = activation < self._last_report_activation * (
            0.9 if masked_after_report else 0.7
        )
        score = 0.0
        if index > self.trend and novel and (not masked or clearly_below):
            score = self._confidence(activation, level)
            self._reported.append(activation)
            self._last_report_activation = activation
            self._last_report = index
        self._masked_after_category = self._masked_after_category or novel
        if index > self.trend and adapt:
            self._adapt(index)
        return score

    def _confidence(self, activation: float, level: float) -> float:
        art = self._art
        a = min(0.999, activation)
        below = 0.35 * (art.upper - a) / (1.0 - a) + 0.65 * (art.lower - a) / (1.0 - a)
        return float(min(1.0, below + 1.5 * (1.0 - level)))

    def _adapt(self, index: int) -> None:
        art = self._art
        upper = min(_UPPER_CAP, self._activation_sum / self._presented)
        lowest = min(self._activations)
        if art.lower <= lowest:
            lower = art.lower + _RISE_SHARE * (lowest - art.lower)
        else:
            fall = 0.0
            if index > 2 * self.trend:
                gaps = [min(_SHORTFALL_CAP, g) for g in self._shortfalls if g > _SHORTFALL_FLOOR]
                fall = float(np.mean(gaps)) if gaps else 0.0
            lower = art.lower - max(0.01, fall) / 2
            if self._reported:
                lower = max(float(np.mean(self._reported)), lower)
        art.lower, art.upper = min(upper, lower), upper
        self._last_adapt = index
        self._masked_after_category = True
