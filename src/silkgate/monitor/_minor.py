"""Minor principal components (Shyu et al. 2003): rows that break the training correlations.

The principal components of the training rows whose variance is tiny (below
``relative_eigenvalue`` times the mean eigenvalue) are directions in which normal rows
hardly ever move: relations that hold among normal features (a service and its byte
counts, a connection count and its rates). A row's score is its squared Mahalanobis
length in those directions, ``sum(y_i**2 / lambda_i)``; a row may be unremarkable in every
single feature and still score high. Directions with no training variance at all
(constant columns) are left to the other detectors.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from silkgate.monitor._detector import Matrix, Scores


class MinorComponentsDetector:
    """Mahalanobis length of a row in the training data's minor principal components."""

    name = "minor_components"

    def __init__(self, *, relative_eigenvalue: float = 0.01, null_eigenvalue: float = 1e-9) -> None:
        if not 0 < relative_eigenvalue < 1:
            raise ValueError("relative_eigenvalue must lie in (0, 1)")
        self.relative_eigenvalue = relative_eigenvalue
        self.null_eigenvalue = null_eigenvalue
        self._mean: npt.NDArray[np.float64] = np.empty(0)
        self._axes: npt.NDArray[np.float64] = np.empty((0, 0))
        self._variances: npt.NDArray[np.float64] = np.empty(0)
        self._train: Scores = np.empty(0)

    @property
    def components(self) -> int:
        """How many minor components the fitted detector scores."""
        return len(self._variances)

    def fit(self, X: Matrix) -> MinorComponentsDetector:
        rows = np.asarray(X, dtype=np.float64)
        self._mean = rows.mean(axis=0)
        centred = rows - self._mean
        if len(rows) < 2 or rows.shape[1] == 0:
            variances, axes = np.ones(0), np.zeros((rows.shape[1], 0))
        else:
            covariance = centred.T @ centred / (len(rows) - 1)
            variances, axes = np.linalg.eigh(covariance)
        real = variances > self.null_eigenvalue * max(float(variances.max(initial=0.0)), 1e-300)
        minor = real & (
            variances
            < self.relative_eigenvalue * (float(variances.mean()) if len(variances) else 0.0)
        )
        if real.any() and not minor.any():
            minor = real & (variances == variances[real].min())
        self._axes, self._variances = axes[:, minor], variances[minor]
        self._train = self.score(X)
        return self

    def score(self, X: Matrix) -> Scores:
        projected = (np.asarray(X, dtype=np.float64) - self._mean) @ self._axes
        return np.asarray((projected**2 / self._variances).sum(axis=1), dtype=np.float64)

    def training_scores(self) -> Scores:
        return self._train
