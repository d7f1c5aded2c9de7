"""k-nearest-neighbour distance (Ramaswamy et al. 2000, mean of k distances) to normal rows."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from silkgate.monitor._detector import Matrix, Scores


class KnnDetector:
    """Mean Euclidean distance to the ``k`` nearest training rows.

    Training is capped at ``max_train`` rows (a seeded sample) to bound memory and time;
    training scores leave each row out of its own neighbourhood.
    """

    name = "knn"

    def __init__(self, *, k: int = 8, max_train: int = 20_000, seed: int = 0) -> None:
        self.k = k
        self.max_train = max_train
        self.seed = seed
        self._index: NearestNeighbors | None = None
        self._train: Scores = np.empty(0)

    def fit(self, X: Matrix) -> KnnDetector:
        indexed = np.ones(len(X), dtype=bool)
        if len(X) > self.max_train:
            pick = np.random.default_rng(self.seed).choice(len(X), self.max_train, replace=False)
            indexed[:] = False
            indexed[pick] = True
        reference = X[indexed]
        k = min(self.k, max(1, len(reference) - 1))
        self._index = NearestNeighbors(n_neighbors=k + 1).fit(reference)
        self._k = k
        distances, _ = self._index.kneighbors(reference)
        # One training score per input row: rows in the index leave themselves out, the
        # rest are scored as unseen, so the ensemble can line detectors up row by row.
        self._train = np.empty(len(X), dtype=np.float64)
        self._train[indexed] = distances[:, 1:].mean(axis=1)
        if not indexed.all():
            self._train[~indexed] = self.score(X[~indexed])
        return self

    def score(self, X: Matrix) -> Scores:
        assert self._index is not None, "fit first"
        distances, _ = self._index.kneighbors(X, n_neighbors=self._k)
        return np.asarray(distances.mean(axis=1), dtype=np.float64)

    def training_scores(self) -> Scores:
        return self._train
