"""The online series detector: causal, one report per onset, batch equals streaming."""

from __future__ import annotations

import numpy as np
import pytest

from silkgate.monitor import NoveltyDetector


def _periodic(points: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(points)
    return 100 + 10 * np.sin(2 * np.pi * t / 48) + rng.uniform(-0.5, 0.5, points)


def test_batch_scores_equal_point_by_point_updates() -> None:
    values = _periodic(400, 0)
    values[300:310] += 6.0
    detector = NoveltyDetector(window=8, warmup=50, history=200, quiet=20, max_history=150)

    batch = detector.score(values)
    streamed = np.array([detector.update(v) for v in values])

    np.testing.assert_allclose(batch, streamed, atol=1e-6)


def test_scores_never_depend_on_later_points() -> None:
    values = _periodic(500, 1)
    changed = values.copy()
    changed[400:] += 50.0
    detector = NoveltyDetector(window=8, warmup=50, quiet=25)

    np.testing.assert_array_equal(detector.score(values)[:400], detector.score(changed)[:400])


def test_a_new_shape_is_reported_once_at_its_onset() -> None:
    values = _periodic(900, 2)
    values[700:760] = values[700]  # the cycle stops: a flat stretch inside the usual range

    detector = NoveltyDetector(window=16, warmup=100, quiet=90)
    scores = detector.score(values)

    reported = np.flatnonzero(scores >= detector.level)
    assert len(reported) == 1
    assert 700 <= reported[0] < 760


def test_a_value_beyond_the_seen_range_scores_one() -> None:
    values = _periodic(400, 3)
    values[350] = 200.0

    detector = NoveltyDetector(window=8, warmup=50)
    scores = detector.score(values)

    assert scores[350] == 1.0
    assert scores[:300].max() < detector.level


def test_nothing_is_reported_on_a_repeating_pattern() -> None:
    detector = NoveltyDetector(window=16, warmup=100)
    scores = detector.score(_periodic(1_000, 4))

    assert scores[200:].max() < detector.level


@pytest.mark.parametrize(
    "options",
    [pytest.param({"window": 1}, id="window"), pytest.param({"warmup": 1}, id="warmup")],
)
def test_bad_settings_are_refused(options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="need window"):
        NoveltyDetector(**options)
