"""Isolation Forest (Liu, Ting, Zhou 2008) on record features, trained by scikit-learn.

Scoring walks the fitted trees directly: each node's isolation depth (its depth plus the
expected path length ``c(n)`` of the training points left in it) is tabulated once after
fitting, then rows are scored in cache-sized blocks, the blocks shared by a few threads
(scikit-learn's tree walk releases the GIL). The scores are exactly
``-IsolationForest.score_samples``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import IsolationForest

from silkgate.monitor._detector import Matrix, Scores

_EULER_GAMMA = 0.5772156649015329


def average_path_length(n: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``c(n)``: the mean path length of an unsuccessful search in a binary tree of ``n``."""
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros_like(n)
    two = n == 2
    many = n > 2
    out[two] = 1.0
    m = n[many]
    out[many] = 2.0 * (np.log(m - 1.0) + _EULER_GAMMA) - 2.0 * (m - 1.0) / m
    return out


class IsolationForestDetector:
    """Short average path length in random trees means easy to isolate, so anomalous.

    ``threads`` score blocks of ``block_rows`` rows in parallel (default: the CPU count,
    at most 4); the result does not depend on it.
    """

    name = "isolation_forest"

    def __init__(
        self,
        *,
        n_estimators: int = 200,
        max_samples: int = 256,
        seed: int = 0,
        threads: int | None = None,
        block_rows: int = 16_384,
    ) -> None:
        self._options = {"n_estimators": n_estimators, "random_state": seed, "n_jobs": 1}
        self.max_samples = max_samples
        self.threads = threads or min(4, os.cpu_count() or 1)
        self.block_rows = block_rows
        self._forest = IsolationForest(max_samples=max_samples, **self._options)
        self._depths: list[npt.NDArray[np.float64]] = []
        self._features: list[npt.NDArray[np.intp] | None] = []
        self._norm = 1.0
        self._train: Scores = np.empty(0)

    @property
    def forest(self) -> IsolationForest:
        """The fitted scikit-learn forest."""
        return self._forest

    def fit(self, X: Matrix) -> IsolationForestDetector:
        self._forest = IsolationForest(max_samples=min(self.max_samples, len(X)), **self._options)
        self._forest.fit(X)
        n_features = X.shape[1]
        self._depths, self._features = [], []
        for tree, features in zip(
            self._forest.estimators_, self._forest.estimators_features_, strict=True
        ):
            structure = tree.tree_
            depth = np.zeros(structure.node_count, dtype=np.float64)
            left, right = structure.children_left, structure.children_right
            for node in range(structure.node_count):  # parents precede their children
                if left[node] >= 0:
                    depth[left[node]] = depth[right[node]] = depth[node] + 1.0
            samples = structure.n_node_samples.astype(np.float64)
            self._depths.append(depth + average_path_length(samples))
            used = np.asarray(features, dtype=np.intp)
            self._features.append(None if len(used) == n_features else used)
        self._norm = float(
            len(self._depths) * average_path_length(np.array([self._forest.max_samples_]))[0]
        )
        self._train = self.score(X)
        return self

    def _block(self, X: Matrix) -> Scores:
        total = np.zeros(len(X), dtype=np.float64)
        for tree, depth, features in zip(
            self._forest.estimators_, self._depths, self._features, strict=True
        ):
            rows = X if features is None else np.ascontiguousarray(X[:, features])
            total += depth[tree.tree_.apply(rows)]
        return total

    def score(self, X: Matrix) -> Scores:
        assert self._depths, "fit first"
        X = np.ascontiguousarray(X, dtype=np.float32)
        starts = range(0, len(X), self.block_rows)
        blocks = [X[s : s + self.block_rows] for s in starts]
        if self.threads > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                depths = list(pool.map(self._block, blocks))
        else:
            depths = [self._block(b) for b in blocks]
        total = np.concatenate(depths) if depths else np.empty(0)
        if self._norm == 0:  # a single training row: scikit-learn's convention
            return np.full(len(X), 0.5)
        return np.asarray(np.exp2(-total / self._norm), dtype=np.float64)

    def training_scores(self) -> Scores:
        return self._train
