"""The detector seam: fit on (mostly normal) rows, score rows; higher means more anomalous."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Scores = npt.NDArray[np.float64]


@runtime_checkable
class Detector(Protocol):
    """A record-level anomaly detector."""

    name: str

    def fit(self, X: Matrix) -> Detector: ...

    def score(self, X: Matrix) -> Scores: ...

    def training_scores(self) -> Scores:
        """Scores of the training rows as if unseen (used to set thresholds without labels)."""
