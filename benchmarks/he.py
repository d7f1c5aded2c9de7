"""HE benchmark: encrypted aggregation throughput of three parties' vectors (TenSEAL CKKS).

Runs ``he_aggregate`` through the task API with in-process nodes on loopback; baseline:
TenSEAL called directly (encrypt, add, decrypt) on the same vectors in one process.
``python benchmarks/he.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PARTIES = ("cn-gxic", "sg-lionhealth", "th-siampay")


def direct(vectors: list[np.ndarray]) -> float:
    import tenseal as ts

    started = time.perf_counter()
    context = ts.context(ts.SCHEME_TYPE.CKKS, poly_modulus_degree=8192,
                         coeff_mod_bit_sizes=[60, 40, 40, 60])  # fmt: skip
    context.global_scale = 2**40
    total = None
    for vector in vectors:
        chunks = [ts.ckks_vector(context, vector[i : i + 4096].tolist())
                  for i in range(0, len(vector), 4096)]  # fmt: skip
        total = chunks if total is None else [a + b for a, b in zip(total, chunks, strict=True)]
    assert total is not None
    [c.decrypt() for c in total]
    return time.perf_counter() - started


def through_silkgate(vectors: list[np.ndarray], work: Path) -> tuple[float, list[float]]:
    from silkgate.compute import ComputeHome, Grant, StaticGrants, TaskSpec

    compute = ComputeHome.of(work / "home")
    grants = StaticGrants(
        [Grant(grantee="cn-gxic", dataset="v", kinds=frozenset({"he_aggregate"}))]
    )
    nodes = []
    for party, vector in zip(PARTIES, vectors, strict=True):
        data = work / party
        data.mkdir()
        pd.DataFrame({"x": vector}).to_parquet(data / "v.parquet")
        node = compute.make_node(party, data, grants=grants).start()
        compute.enroll(node)
        nodes.append(node)
    try:
        with compute.open_scheduler(grants=grants) as scheduler:
            spec = TaskSpec.model_validate(
                {
                    "kind": "he_aggregate",
                    "inputs": [{"party": p, "dataset": "v", "columns": ["x"]} for p in PARTIES],
                    "receivers": ["cn-gxic"],
                    "params": {"vector": "values"},
                }
            )
            started = time.perf_counter()
            record = scheduler.run(spec)
            seconds = time.perf_counter() - started
            assert record.result is not None, record.error
            return seconds, record.result["values"]
    finally:
        for node in nodes:
            node.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 20_000 if args.quick else 200_000
    rng = np.random.default_rng(5)
    vectors = [rng.normal(0, 100, n) for _ in PARTIES]
    base = direct(vectors)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, values = through_silkgate(vectors, Path(tmp))
    error = float(np.max(np.abs(np.array(values) - sum(vectors))))
    values_total = n * len(PARTIES)
    import tenseal

    print(json.dumps({
        "benchmark": "he",
        "figures": {"values_per_s": round(values_total / seconds, 1), "n_per_party": n,
                    "parties": len(PARTIES), "seconds": round(seconds, 3), "max_abs_error": error},
        "baseline": {"values_per_s": round(values_total / base, 1), "seconds": round(base, 3)},
        "ratio": round(base / seconds, 3),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "tenseal": tenseal.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
