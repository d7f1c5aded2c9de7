"""The ensemble: detector scores put on one scale without labels, combined, thresholded.

Each detector's score is expressed relative to its own scores on the training rows:
``(s - median) / (q99 - median)``, so 0 is a typical training row and 1 is as unusual as the
1 % most unusual of them. The ensemble is the weighted mean; its threshold is the
``1 - contamination`` quantile of the ensemble's training scores. No label is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from silkgate.monitor._detector import Detector, Matrix, Scores


@dataclass(frozen=True, slots=True)
class Reason:
    """One input column that drove an alert, with its share of the deviation."""

    column: str
    weight: float


class Ensemble:
    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        weights: Sequence[float] | None = None,
        contamination: float = 0.01,
        max_explain_rows: int = 5_000,
        seed: int = 0,
    ) -> None:
        if not detectors:
            raise ValueError("an ensemble needs at least one detector")
        self.detectors = list(detectors)
        self.weights = np.asarray(weights or [1.0] * len(detectors), dtype=np.float64)
        self.contamination = contamination
        self.max_explain_rows = max_explain_rows
        self.seed = seed
        self._scales: list[tuple[float, float]] = []
        self.threshold = float("inf")

    def fit(self, X: Matrix) -> Ensemble:
        self._scales = []
        for detector in self.detectors:
            detector.fit(X)
            train = detector.training_scores()
            median, high = np.quantile(train, [0.5, 0.99])
            self._scales.append((float(median), float(high - median) or 1.0))
        self.threshold = float(
            np.quantile(self._combine(self._each_train()), 1 - self.contamination)
        )
        rows = X
        if len(X) > self.max_explain_rows:
            pick = np.random.default_rng(self.seed).choice(len(X), self.max_explain_rows, False)
            rows = X[np.sort(pick)]
        self._reference = rows
        self._nearest = NearestNeighbors(n_neighbors=1).fit(rows)
        self._column_scale = np.maximum(rows.std(axis=0), 1e-6)
        return self

    def _each_train(self) -> list[Scores]:
        return [d.training_scores() for d in self.detectors]

    def _combine(self, raw: list[Scores]) -> Scores:
        total = np.zeros(len(raw[0]))
        for (median, scale), weight, scores in zip(self._scales, self.weights, raw, strict=True):
            total += weight * (scores - median) / scale
        return np.asarray(total / self.weights.sum(), dtype=np.float64)

    def score_each(self, X: Matrix) -> dict[str, Scores]:
        """Each detector's normalised score."""
        return {
            d.name: (d.score(X) - median) / scale
            for d, (median, scale) in zip(self.detectors, self._scales, strict=True)
        }

    def score(self, X: Matrix) -> Scores:
        return self._combine([d.score(X) for d in self.detectors])

    def explain(
        self, X: Matrix, sources: Sequence[str], *, top: int = 3
    ) -> list[tuple[Reason, ...]]:
        """For each row, the input columns that differ most from its nearest normal row.

        Differences are in standardised feature units, summed per input column (a one-hot
        group or an embedding counts as its column) and given as shares of the total.
        """
        _, index = self._nearest.kneighbors(X)
        diff = np.abs(X - self._reference[index[:, 0]])
        names = sorted(set(sources))
        group = np.array([names.index(s) for s in sources])
        per_column = np.zeros((len(X), len(names)))
        for j in range(diff.shape[1]):
            per_column[:, group[j]] += diff[:, j]
        totals = per_column.sum(axis=1, keepdims=True)
        shares = per_column / np.where(totals == 0, 1, totals)
        reasons: list[tuple[Reason, ...]] = []
        for row in shares:
            order = np.argsort(-row)[:top]
            reasons.append(
                tuple(Reason(names[i], round(float(row[i]), 3)) for i in order if row[i] > 0)
            )
        return reasons
