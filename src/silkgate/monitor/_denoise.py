"""DBSCAN noise removal from training data: points in no dense region are left out of fit.

``eps`` defaults to a high quantile of the distance to the ``min_samples``-th neighbour, so
only points far sparser than nearly all others count as noise. Runs on a seeded sample of
at most ``max_rows`` rows; rows outside the sample are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.cluster import DBSCAN
from sklearn.neighbors import NearestNeighbors

from silkgate.monitor._detector import Matrix


@dataclass(frozen=True, slots=True)
class DenoiseReport:
    rows: int
    noise: int
    eps: float

    @property
    def noise_share(self) -> float:
        return self.noise / self.rows if self.rows else 0.0


def denoise(
    X: Matrix,
    *,
    min_samples: int = 5,
    eps: float | None = None,
    quantile: float = 0.99,
    max_rows: int = 20_000,
    seed: int = 0,
) -> tuple[npt.NDArray[np.bool_], DenoiseReport]:
    """Return a mask of rows to keep (True) and what was removed."""
    keep = np.ones(len(X), dtype=bool)
    if len(X) <= min_samples:
        return keep, DenoiseReport(len(X), 0, 0.0)
    rows = np.arange(len(X))
    if len(X) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), max_rows, replace=False))
    sample = X[rows]
    if eps is None:
        distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(sample).kneighbors(sample)
        eps = float(np.quantile(distances[:, -1], quantile)) or 1e-9
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit(sample).labels_
    keep[rows[labels == -1]] = False
    return keep, DenoiseReport(len(X), int((~keep).sum()), eps)
