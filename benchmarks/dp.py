"""DP benchmark: relative error of an ε = 1 mean through ``dp_query`` vs OpenDP directly.

Both release a mean of the same 100,000 values clamped to [0, 1000] as a Laplace-noised sum
over a noisy count, ε split evenly; relative error is the mean over repetitions.
``python benchmarks/dp.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

EPSILON, LOWER, UPPER = 1.0, 0.0, 1000.0


def direct(values: list[float], repeats: int, truth: float) -> float:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    floats = dp.vector_domain(dp.atom_domain(T=float, nan=False))
    metric = dp.symmetric_distance()
    summed = dp.t.make_clamp(floats, metric, bounds=(LOWER, UPPER)) >> dp.t.then_sum()
    scale = dp.binary_search_param(
        lambda s: summed >> dp.m.then_laplace(scale=s), d_in=1, d_out=EPSILON / 2, T=float
    )
    both = dp.c.make_composition([
        summed >> dp.m.then_laplace(scale=scale),
        dp.t.make_count(floats, metric) >> dp.m.then_laplace(scale=2 / EPSILON),
    ])  # fmt: skip
    errors = []
    for _ in range(repeats):
        noisy_sum, noisy_count = both(values)
        errors.append(abs(noisy_sum / noisy_count - truth) / truth)
    return float(np.mean(errors))


def through_silkgate(values: np.ndarray, repeats: int, truth: float, work: Path) -> float:
    from silkgate.compute import ComputeHome, Grant, StaticGrants, TaskSpec

    compute = ComputeHome.of(work / "home")
    grants = StaticGrants([Grant(grantee="cn-gxic", dataset="v", kinds=frozenset({"dp_query"}))])
    data = work / "sg"
    data.mkdir()
    pd.DataFrame({"x": values}).to_parquet(data / "v.parquet")
    node = compute.make_node("sg-lionhealth", data, grants=grants, default_epsilon=1e6).start()
    compute.enroll(node)
    errors = []
    try:
        with compute.open_scheduler(grants=grants) as scheduler:
            for _ in range(repeats):
                record = scheduler.run(TaskSpec.model_validate({
                    "kind": "dp_query",
                    "inputs": [{"party": "sg-lionhealth", "dataset": "v", "columns": ["x"]}],
                    "receivers": ["sg-lionhealth"],
                    "privacy": {"epsilon": EPSILON},
                    "params": {"statistic": "mean", "bounds": [LOWER, UPPER]},
                }))  # fmt: skip
                assert record.result is not None, record.error
                errors.append(abs(record.result["value"] - truth) / truth)
    finally:
        node.close()
    return float(np.mean(errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 10 if args.quick else 100
    values = np.random.default_rng(3).gamma(2.0, 150.0, 100_000)
    truth = float(np.clip(values, LOWER, UPPER).mean())
    base = direct([float(v) for v in values], repeats, truth)
    with tempfile.TemporaryDirectory() as tmp:
        ours = through_silkgate(values, repeats, truth, Path(tmp))
    from importlib.metadata import version

    print(json.dumps({
        "benchmark": "dp",
        "figures": {"relative_error": ours, "epsilon": EPSILON, "n": len(values),
                    "repeats": repeats},
        "baseline": {"relative_error": base},
        "ratio": round(ours / base, 3),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "opendp": version("opendp"),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
