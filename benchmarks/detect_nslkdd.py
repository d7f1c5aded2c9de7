"""NSL-KDD: fit silkgate's monitor on the normal rows of KDDTrain+_20Percent only, score
KDDTest+ and KDDTest-21; baselines in the same run: scikit-learn Isolation Forest on the
one-hot matrix, and the k-NN distance (k = 8) on log1p-scaled features.

    python benchmarks/detect_nslkdd.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.neighbors import NearestNeighbors

from silkgate.monitor import Monitor, MonitorConfig, read_events

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nsl-kdd"
CATEGORICAL = ["protocol_type", "service", "flag"]


def dr_at_fpr(labels: np.ndarray, scores: np.ndarray, fpr: float = 0.01) -> float:
    false_pos, true_pos, _ = roc_curve(labels, scores)
    return float(true_pos[np.searchsorted(false_pos, fpr, side="right") - 1])


def _onehot(frame: pd.DataFrame, columns: pd.Index | None) -> tuple[np.ndarray, pd.Index]:
    numeric = frame.drop(columns=CATEGORICAL).astype(float)
    dummies = pd.get_dummies(frame[CATEGORICAL].astype(str))
    if columns is None:
        columns = dummies.columns
    dummies = dummies.reindex(columns=columns, fill_value=0).astype(float)
    return np.hstack([numeric.to_numpy(), dummies.to_numpy()]), columns


def baselines(train: pd.DataFrame, tests: dict[str, pd.DataFrame], seed: int) -> dict[str, dict]:
    X, columns = _onehot(train, None)
    forest = IsolationForest(n_estimators=100, random_state=seed).fit(X)
    num_tr = np.log1p(train.drop(columns=CATEGORICAL).astype(float).clip(lower=0).to_numpy())
    mean, std = num_tr.mean(axis=0), num_tr.std(axis=0)
    std[std == 0] = 1.0

    def scaled(frame: pd.DataFrame) -> np.ndarray:
        num = np.log1p(frame.drop(columns=CATEGORICAL).astype(float).clip(lower=0).to_numpy())
        dummies = pd.get_dummies(frame[CATEGORICAL].astype(str)).reindex(
            columns=columns, fill_value=0
        )
        return np.hstack([(num - mean) / std, dummies.to_numpy(dtype=float)])

    index = NearestNeighbors(n_neighbors=8).fit(scaled(train))
    out: dict[str, dict] = {}
    for name, frame in tests.items():
        out[name] = {
            "iforest": -forest.score_samples(_onehot(frame, columns)[0]),
            "knn": index.kneighbors(scaled(frame))[0].mean(axis=1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a 3,000-row sample of each file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    raw_train = pd.read_csv(DATA / "KDDTrain+_20Percent.txt")
    normal = raw_train[raw_train["attack"] == "normal"].drop(columns=["attack", "level"])
    tests_raw = {
        "test_plus": pd.read_csv(DATA / "KDDTest+.txt"),
        "test_21": pd.read_csv(DATA / "KDDTest-21.txt"),
    }
    if args.quick:
        normal = normal.sample(n=3000, random_state=args.seed)
        tests_raw = {k: v.sample(n=3000, random_state=args.seed) for k, v in tests_raw.items()}
    labels = {k: (v["attack"] != "normal").to_numpy() for k, v in tests_raw.items()}
    tests = {k: v.drop(columns=["attack", "level"]) for k, v in tests_raw.items()}

    # silkgate reads the files through its NSL-KDD reader, labels dropped by the reader.
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"nslkdd-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    normal.to_csv(tmp / "train.csv", index=False)
    monitor = Monitor(MonitorConfig(seed=args.seed)).fit(read_events(tmp / "train.csv", "nslkdd"))
    figures: dict[str, float] = {}
    for name, frame in tests_raw.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
        scores = monitor.score(read_events(tmp / f"{name}.csv", "nslkdd"))
        figures[f"auc_{name}"] = round(float(roc_auc_score(labels[name], scores)), 4)
        figures[f"dr_at_1pct_fpr_{name}"] = round(dr_at_fpr(labels[name], scores), 4)
    fit_s = time.perf_counter() - started

    base = baselines(normal, tests, args.seed)
    plus, hard = base["test_plus"], base["test_21"]
    y_plus, y_hard = labels["test_plus"], labels["test_21"]
    baseline = {
        "auc_test_plus": round(float(roc_auc_score(y_plus, plus["iforest"])), 4),
        "dr_at_1pct_fpr_test_plus": round(dr_at_fpr(y_plus, plus["iforest"]), 4),
        "knn_auc_test_plus": round(float(roc_auc_score(y_plus, plus["knn"])), 4),
        "knn_dr_at_1pct_fpr_test_plus": round(dr_at_fpr(y_plus, plus["knn"]), 4),
        "auc_test_21": round(float(roc_auc_score(y_hard, hard["iforest"])), 4),
        "knn_auc_test_21": round(float(roc_auc_score(y_hard, hard["knn"])), 4),
    }
    figures["train_rows"] = len(normal)
    figures["seconds"] = round(fit_s, 1)
    for path in tmp.iterdir():
        path.unlink()
    tmp.rmdir()
    print(
        json.dumps(
            {
                "benchmark": "detect_nslkdd",
                "figures": figures,
                "baseline": baseline,
                "ratio": round(figures["auc_test_plus"] / baseline["knn_auc_test_plus"], 4),
                "quick": args.quick,
                "cpus": os.cpu_count(),
                "versions": {"python": platform.python_version(), "sklearn": sklearn.__version__},
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
