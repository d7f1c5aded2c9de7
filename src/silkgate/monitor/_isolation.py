"""Isolation Forest (Liu, Ting, Zhou 2008) on record features, via scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest

from silkgate.monitor._detector import Matrix, Scores


class IsolationForestDetector:
    """Short average path length in random trees means easy to isolate, so anomalous."""

    name = "isolation_forest"

    def __init__(self, *, n_estimators: int = 200, max_samples: int = 256, seed: int = 0) -> None:
        self._options = {"n_estimators": n_estimators, "random_state": seed, "n_jobs": 1}
        self.max_samples = max_samples
        self._forest = IsolationForest(max_samples=max_samples, **self._options)
        self._train: Scores = np.empty(0)

    def fit(self, X: Matrix) -> IsolationForestDetector:
        self._forest = IsolationForest(max_samples=min(self.max_samples, len(X)), **self._options)
        self._forest.fit(X)
        self._train = self.score(X)
        return self

    def score(self, X: Matrix) -> Scores:
        return np.asarray(-self._forest.score_samples(X), dtype=np.float64)

    def training_scores(self) -> Scores:
        return self._train
