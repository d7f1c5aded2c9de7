"""Numenta Anomaly Benchmark: NAB's scoring (standard, reward-low-FP, reward-low-FN) over the
whole corpus, for silkgate's online series detector (``NoveltyDetector``: left-discord
likelihood, range breaks, one report per onset; with an ``ArtDetector`` as second opinion, a
point scoring the larger of the two, ART's times ``ART_WEIGHT``); published detectors' scores
from ``results/final_results.json`` are printed alongside. ``components`` scores each part
alone; ``combination_check`` confirms that the parts, scored separately and combined here,
equal ``NoveltyDetector(art=ArtDetector(...))`` on the first files.

The detector sees each file point by point in order (its batch mode computes exactly what
its streaming ``update`` would) and never reads the labels; like NAB's own detectors it is
told each file's length, which sets its quiet span after a report (2 % of the file), its
warm-up (7.5 %, at most 300 points) and ART's probationary period (NAB's: 15 %, at most 750).
ART's value range is the one seen in that period (NAB's own ARTime was given each file's
whole range up front; here nothing after a point is used to score it).
The novelty settings were chosen on this corpus (as published NAB detectors' were); ART's
(headroom, levels, weight) on the tuning half only (see docs/monitor.md); ``split``
shows how much that flatters it: files are split in two by a hash of their name
(``tuning_half``), the threshold is swept on the tuning half only and the held-out half is
scored at it.

The scoring follows Lavin & Ahmad (ICMLA 2015) and NAB v1.0's documented rules: a 15 %
probationary period (at most 750 points) is not scored; within each labelled window only
the earliest detection counts, weighted by a scaled sigmoid of its position; detections
outside windows cost the profile's FP weight (scaled by distance after a window); each
missed window costs the FN weight; one threshold for the whole corpus maximises the total,
normalised so the null detector scores 0 and the perfect one 100.

The scorer checks itself in the same run (``scorer_check``): a perfect detector (one
detection at the start of each window) must score 100, the null detector 0, and uniform
random scores (NAB's ``random`` detector) land near its published figures. Given NAB's
``results/`` folder (``--published``), it also scores published detectors' per-file result
files (``published_check``): swept, and at the threshold NAB's own run used, which must
reproduce ``final_results.json``.

    python benchmarks/nab.py [--quick] [--published NAB/results]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from silkgate.monitor import ArtDetector, NoveltyDetector

NAB = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nab"
QUIET_SHARE = 0.02
WARMUP_SHARE = 0.075  # scoring starts at twice the warm-up: by the end of NAB's probation
ART_WEIGHT = 0.75
LEVEL = NoveltyDetector().level
NAB_PROFILE_NAMES = {
    "standard": "standard",
    "reward_low_fp": "reward_low_FP_rate",
    "reward_low_fn": "reward_low_FN_rate",
}
PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_fp": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_fn": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}


def scaled_sigmoid(position: float) -> float:
    """1 early in a window, 0 at its right edge, towards -1 far after it (-1 from 3 on)."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


@dataclass(slots=True)
class Points:
    scores: np.ndarray
    weights: np.ndarray  # per point, as TP (in a window) or FP (outside), before profile weights
    window: np.ndarray  # window id per point, -1 outside, -2 probationary


def label_points(timestamps: pd.Series, windows: list[list[str]], key: int) -> Points:
    n = len(timestamps)
    stamps = pd.to_datetime(timestamps).to_numpy()
    window_of = np.full(n, -1)
    relative = np.full(n, 3.0)
    in_window = np.zeros(n, dtype=bool)
    bounds = []
    for w, (start, end) in enumerate(windows):
        lo = int(np.searchsorted(stamps, np.datetime64(pd.Timestamp(start))))
        hi = int(np.searchsorted(stamps, np.datetime64(pd.Timestamp(end)), side="right")) - 1
        bounds.append((lo, hi))
        width = hi - lo + 1
        idx = np.arange(lo, hi + 1)
        window_of[idx] = key * 1000 + w
        relative[idx] = -(hi - idx + 1) / width
        in_window[idx] = True
    weights = np.empty(n)
    previous: tuple[int, int] | None = None
    b = 0
    for i in range(n):
        while b < len(bounds) and bounds[b][1] < i:
            previous = bounds[b]
            b += 1
        if in_window[i]:
            weights[i] = scaled_sigmoid(relative[i]) / scaled_sigmoid(-1.0)
        elif previous is None:
            weights[i] = scaled_sigmoid(3.0)
        else:
            lo, hi = previous
            weights[i] = scaled_sigmoid(abs(hi - i) / max(hi - lo, 1))
    probation = int(min(math.floor(0.15 * n), 0.15 * 5000))
    window_of[:probation] = -2
    return Points(np.zeros(n), weights, window_of)


def best_total(points: list[Points], profile: dict[str, float]) -> tuple[float, float]:
    """(threshold, total score) maximising the corpus total, as NAB's sweep does."""
    scores = np.concatenate([p.scores for p in points])
    weights = np.concatenate([p.weights for p in points])
    window = np.concatenate([p.window for p in points])
    scorable = window != -2
    scores, weights, window = scores[scorable], weights[scorable], window[scorable]
    windows = np.unique(window[window >= 0])
    total = -profile["fn"] * len(windows)
    best = (1.1, total)
    order = np.argsort(-scores, kind="stable")
    seen: dict[int, float] = {}
    i = 0
    while i < len(order):
        j = i
        threshold = scores[order[i]]
        while j < len(order) and scores[order[j]] == threshold:
            k = order[j]
            if window[k] < 0:
                total += profile["fp"] * weights[k]
            else:
                gain = profile["tp"] * weights[k]
                current = seen.get(int(window[k]), -profile["fn"])
                if gain > current:
                    total += gain - current
                    seen[int(window[k])] = gain
            j += 1
        if total > best[1]:
            best = (float(threshold), total)
        i = j
    return best


def normalised(
    points: list[Points], profile: dict[str, float], *, threshold: float | None = None
) -> tuple[float, float]:
    """(threshold, score on NAB's 0-100 scale): the best threshold, or the one given."""
    windows = sum(len(set(p.window[p.window >= 0])) for p in points)
    null, perfect = -profile["fn"] * windows, profile["tp"] * windows
    if threshold is None:
        threshold, raw = best_total(points, profile)
    else:
        raw = total_at(points, profile, threshold)
    return threshold, round(100.0 * (raw - null) / (perfect - null), 2)


def total_at(points: list[Points], profile: dict[str, float], threshold: float) -> float:
    """The corpus total with detections at scores >= ``threshold``."""
    total = 0.0
    for p in points:
        scorable = p.window != -2
        hit = (p.scores >= threshold) & scorable
        total += profile["fp"] * float(p.weights[hit & (p.window == -1)].sum())
        for w in np.unique(p.window[scorable & (p.window >= 0)]):
            inside = hit & (p.window == w)
            total += (
                profile["tp"] * float(p.weights[inside].max()) if inside.any() else -profile["fn"]
            )
    return total


def tuning_half(name: str) -> bool:
    """The fixed split: files whose name hashes even are the tuning half, the rest held out."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2 == 0


def split_scores(points: list[Points], tuning: list[bool]) -> dict[str, dict[str, float]]:
    """Each profile's threshold swept on the tuning half only, then applied unchanged to the
    held-out half (each half normalised by its own windows); the held-out half's own best
    threshold is shown for reference."""
    tune = [p for p, t in zip(points, tuning, strict=True) if t]
    held = [p for p, t in zip(points, tuning, strict=True) if not t]
    out: dict[str, dict[str, float]] = {"tuning": {}, "held_out": {}}
    for name, profile in PROFILES.items():
        threshold, out["tuning"][name] = normalised(tune, profile)
        out["held_out"][name] = normalised(held, profile, threshold=threshold)[1]
        out["held_out"][f"{name}_own_sweep"] = normalised(held, profile)[1]
    for part, group in (("tuning", tune), ("held_out", held)):
        out[part]["files"] = len(group)
        out[part]["windows"] = sum(len(set(p.window[p.window >= 0])) for p in group)
    return out


def published_check(
    directory: Path, files: list[str], labelled: list[Points]
) -> dict[str, dict[str, float]]:
    """Published detectors' result files (NAB's ``results/<detector>/`` layout) through this
    scorer: the swept score, and the score at the threshold NAB's own run used (read from
    its ``<detector>_<profile>_scores.csv``), next to ``final_results.json``."""
    out: dict[str, dict[str, float]] = {}
    for folder in sorted(d for d in directory.iterdir() if d.is_dir()):
        detector = folder.name
        paths = [folder / f.split("/")[0] / f"{detector}_{f.split('/')[1]}" for f in files]
        if not all(path.is_file() for path in paths):
            continue
        points = [
            Points(pd.read_csv(path)["anomaly_score"].to_numpy(np.float64), p.weights, p.window)
            for path, p in zip(paths, labelled, strict=True)
        ]
        figures: dict[str, float] = {}
        for name, profile in PROFILES.items():
            figures[name] = normalised(points, profile)[1]
            table = folder / f"{detector}_{NAB_PROFILE_NAMES[name]}_scores.csv"
            if table.is_file():
                used = float(pd.read_csv(table)["Threshold"].dropna().iloc[0])
                figures[f"{name}_at_nab_threshold"] = normalised(points, profile, threshold=used)[1]
        out[detector] = figures
    return out


def scorer_check(points: list[Points], seeds: int = 5) -> dict[str, float]:
    """The scorer on detectors with known scores: perfect 100, null 0, random (mean)."""
    kept = [p.scores for p in points]
    out: dict[str, float] = {}
    for p in points:
        p.scores = np.zeros(len(p.window))
        for w in np.unique(p.window[p.window >= 0]):
            p.scores[np.flatnonzero(p.window == w)[0]] = 1.0
    out["perfect"] = normalised(points, PROFILES["standard"])[1]
    for p in points:
        p.scores = np.zeros(len(p.window))
    out["null"] = normalised(points, PROFILES["standard"])[1]
    randoms = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        for p in points:
            p.scores = rng.random(len(p.window))
        randoms.append(normalised(points, PROFILES["standard"])[1])
    out["random_mean"] = round(float(np.mean(randoms)), 2)
    out["random_max"] = round(float(np.max(randoms)), 2)
    for p, s in zip(points, kept, strict=True):
        p.scores = s
    return out


CHECKED_FILES = 3


def detectors(length: int) -> tuple[NoveltyDetector, ArtDetector]:
    """The two parts, set for a file of ``length`` points as NAB tells detectors."""
    novelty = NoveltyDetector(
        quiet=int(QUIET_SHARE * length),
        warmup=max(30, min(300, int(WARMUP_SHARE * length))),
        art_weight=ART_WEIGHT,
    )
    return novelty, ArtDetector(probation=int(min(math.floor(0.15 * length), 750)))


def components(
    points: list[Points], parts: dict[str, list[np.ndarray]], tuning: list[bool]
) -> dict[str, dict[str, float]]:
    """Each part alone: swept on the whole corpus, and held out as in ``split``."""
    out: dict[str, dict[str, float]] = {}
    for part, scores in parts.items():
        alone = [Points(s, p.weights, p.window) for s, p in zip(scores, points, strict=True)]
        figures = {name: normalised(alone, profile)[1] for name, profile in PROFILES.items()}
        figures["held_out_standard"] = split_scores(alone, tuning)["held_out"]["standard"]
        out[part] = figures
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the realKnownCause files only")
    parser.add_argument(
        "--published",
        type=Path,
        help="NAB's results/ folder (published detectors' per-file scores) to check the scorer",
    )
    args = parser.parse_args()
    windows = json.loads((NAB / "labels" / "combined_windows.json").read_text())
    files = sorted(windows)
    if args.quick:
        files = [f for f in files if f.startswith("realKnownCause")]
    points: list[Points] = []
    parts: dict[str, list[np.ndarray]] = {"novelty": [], "art": []}
    mismatch = 0.0
    for key, name in enumerate(files):
        frame = pd.read_csv(NAB / "data" / name)
        labelled = label_points(frame["timestamp"], windows[name], key)
        values = frame["value"].to_numpy(dtype=np.float64)
        novelty, art = detectors(len(values))
        parts["novelty"].append(novelty.score(values))
        parts["art"].append(art.score(values))
        labelled.scores = np.maximum(parts["novelty"][-1], ART_WEIGHT * parts["art"][-1])
        if key < CHECKED_FILES:
            novelty.art = art
            combined = novelty.score(values)
            mismatch = max(mismatch, float(np.abs(combined - labelled.scores).max()))
        points.append(labelled)
    figures: dict[str, float] = {}
    thresholds: dict[str, float] = {}
    for profile_name, profile in PROFILES.items():
        thresholds[profile_name], figures[profile_name] = normalised(points, profile)
        figures[f"{profile_name}_at_level"] = normalised(points, profile, threshold=LEVEL)[1]
    tuning = [tuning_half(f) for f in files]
    figures["split"] = split_scores(points, tuning)  # type: ignore[assignment]
    figures["components"] = components(points, parts, tuning)  # type: ignore[assignment]
    figures["combination_check"] = {"files": min(CHECKED_FILES, len(files)), "max_diff": mismatch}  # type: ignore[assignment]
    figures["scorer_check"] = scorer_check(points)  # type: ignore[assignment]
    if args.published is not None:
        labelled = [Points(np.zeros(len(p.window)), p.weights, p.window) for p in points]
        figures["published_check"] = published_check(args.published, files, labelled)  # type: ignore[assignment]
    published = json.loads((NAB / "results" / "final_results.json").read_text())
    baseline = {
        name: {
            "standard": round(v["standard"], 2),
            "reward_low_fp": round(v["reward_low_FP_rate"], 2),
            "reward_low_fn": round(v["reward_low_FN_rate"], 2),
        }
        for name, v in published.items()
        if name in ("ARTime", "numenta", "htmjava", "knncad", "random")
    }
    figures["files"] = len(files)
    figures["thresholds"] = thresholds  # type: ignore[assignment]
    print(
        json.dumps(
            {
                "benchmark": "nab",
                "figures": figures,
                "baseline": baseline,
                "ratio": round(figures["standard"] / baseline["ARTime"]["standard"], 3),
                "quick": args.quick,
                "note": "--quick scores realKnownCause only; published figures are corpus-wide; "
                "X_at_level: the score at the detector's own reporting level, no sweep",
                "cpus": os.cpu_count(),
                "versions": {"python": platform.python_version()},
            }
        )
    )


if __name__ == "__main__":
    main()
