"""Minor principal components: a row that breaks a correlation of the training rows."""

from __future__ import annotations

import numpy as np

from silkgate.monitor import MinorComponentsDetector


def test_a_row_breaking_a_training_correlation_scores_highest() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=2_000)
    train = np.column_stack([a, 2 * a + rng.normal(0, 0.01, 2_000), rng.normal(size=2_000)])
    # Every value lies inside the training range; only the relation a -> 2a is broken.
    test = np.array([[1.0, 2.0, 0.0], [1.0, -2.0, 0.0], [-1.5, -3.0, 1.0]])

    detector = MinorComponentsDetector().fit(train.astype(np.float32))
    scores = detector.score(test.astype(np.float32))

    assert detector.components == 1
    assert int(np.argmax(scores)) == 1
    assert scores[1] > 100 * max(scores[0], scores[2])


def test_constant_training_columns_are_not_minor_components() -> None:
    rng = np.random.default_rng(1)
    train = np.column_stack([rng.normal(size=500), np.zeros(500), rng.normal(size=500)])

    detector = MinorComponentsDetector().fit(train.astype(np.float32))

    assert detector.components == 1
    assert np.isfinite(detector.score(np.ones((2, 3), dtype=np.float32))).all()
