"""The ART series detector: causal, deterministic, quiet on repeats, loud on new stretches."""

from __future__ import annotations

import numpy as np
import pytest

from silkgate.domain import InvalidInput
from silkgate.monitor import ArtDetector, NoveltyDetector

PROBATION = 300


def _periodic(points: int, seed: int, noise: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(points)
    return 100 + 10 * np.sin(2 * np.pi * t / 48) + rng.normal(0.0, noise, points)


def test_an_exactly_repeating_pattern_is_never_reported() -> None:
    scores = ArtDetector(probation=PROBATION).score(_periodic(3_000, 0, noise=0.0))

    assert scores.max() == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_noisy_repeating_pattern_is_reported_rarely_and_never_with_full_confidence(
    seed: int,
) -> None:
    scores = ArtDetector(probation=PROBATION).score(_periodic(3_000, seed))

    assert np.count_nonzero(scores) <= 6
    assert scores.max() < 0.7


def _changed(kind: str, values: np.ndarray, at: int) -> np.ndarray:
    out = values.copy()
    if kind == "spike":
        out[at : at + 3] = 160.0
    elif kind == "shift":
        out[at:] += 25.0
    else:  # the cycle stops: a flat stretch inside the usual range
        out[at : at + 100] = out[at]
    return out


@pytest.mark.parametrize("kind", ["spike", "shift", "flat"])
def test_a_new_stretch_after_probation_is_reported_near_its_onset(kind: str) -> None:
    values = _changed(kind, _periodic(2_000, 1), 1_200)

    scores = ArtDetector(probation=PROBATION).score(values)

    reported = np.flatnonzero(scores >= 0.7)
    assert len(reported) > 0
    assert 1_200 <= reported[0] < 1_260


def test_nothing_is_reported_during_probation() -> None:
    values = _periodic(1_000, 2)
    values[100:110] += 80.0

    scores = ArtDetector(probation=PROBATION).score(values)

    assert scores[:PROBATION].max() == 0.0


def test_scores_are_deterministic_and_equal_point_by_point_updates() -> None:
    values = _periodic(1_500, 3)
    values[1_000:1_050] += 15.0
    detector = ArtDetector(probation=PROBATION)

    first, second = detector.score(values), detector.score(values)
    streamed = np.array([detector.update(v) for v in values])

    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, streamed)


def test_scores_never_depend_on_later_points() -> None:
    values = _periodic(1_500, 4)
    changed = values.copy()
    changed[1_100:] += 50.0
    detector = ArtDetector(probation=PROBATION)

    np.testing.assert_array_equal(detector.score(values)[:1_100], detector.score(changed)[:1_100])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"probation": PROBATION, "window": 6}, "power of two", id="window"),
        pytest.param({"probation": 10}, "probation: 10", id="probation-short"),
        pytest.param({"probation": PROBATION, "headroom": 0.5}, "headroom", id="headroom"),
        pytest.param(
            {"probation": PROBATION, "initial_vigilance": 1.0}, "initial_vigilance", id="vigilance"
        ),
        pytest.param({"probation": PROBATION, "levels": 1}, "levels", id="levels"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        ArtDetector(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(np.array([1.0, np.nan, 2.0]), id="nan"),
        pytest.param(np.array([1.0, np.inf]), id="inf"),
        pytest.param(np.ones((4, 2)), id="two-dimensional"),
    ],
)
def test_bad_values_are_refused(values: np.ndarray) -> None:
    with pytest.raises(InvalidInput, match=r"values|finite"):
        ArtDetector(probation=PROBATION).score(values)


def test_as_a_second_opinion_it_raises_the_novelty_score_to_its_weighted_score() -> None:
    values = _changed("flat", _periodic(1_500, 5), 1_000)
    novelty = NoveltyDetector(window=16, warmup=100, quiet=30)
    art = ArtDetector(probation=PROBATION)
    combined = NoveltyDetector(window=16, warmup=100, quiet=30, art=art, art_weight=0.5)

    expected = np.maximum(novelty.score(values), 0.5 * art.score(values))
    batch = combined.score(values)
    streamed = np.array([combined.update(v) for v in values])

    np.testing.assert_allclose(batch, expected)
    np.testing.assert_allclose(streamed, expected, atol=1e-6)
