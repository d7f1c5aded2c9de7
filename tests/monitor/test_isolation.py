"""The Isolation Forest detector scores exactly as scikit-learn does, in blocks and threads."""

from __future__ import annotations

import numpy as np

from silkgate.monitor import IsolationForestDetector


def test_block_and_thread_scoring_equals_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(2_000, 5)).astype(np.float32)
    test = rng.normal(0, 2, size=(5_000, 5)).astype(np.float32)

    detector = IsolationForestDetector(n_estimators=30, threads=2, block_rows=1_000).fit(train)

    np.testing.assert_allclose(detector.score(test), -detector.forest.score_samples(test))
