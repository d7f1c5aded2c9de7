"""1,000,000 Zeek conn.log JSON records parsed, featurised and scored end to end.

Baseline, same run and input: scikit-learn's ``IsolationForest.score_samples`` alone on the
prepared matrix, with the very forest the monitor fitted (the limit of the scoring step as
scikit-learn runs it). The monitor scores the same trees itself, in blocks on a few threads
(``detector_records_per_s``: that step alone); the scores are identical. The machine is
shared, so the CPU time of the end-to-end run (all threads) is reported too, for both:
``records_per_cpu_s`` / ``cpu_us_per_record`` and ``cpu_ratio`` vary far less with other
users' load (``load_average``, sampled at the end) than wall-clock rates do.

    python benchmarks/monitor_throughput.py [--quick]
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
import orjson
import sklearn

from silkgate.monitor import IsolationForestDetector, Monitor, MonitorConfig, read_events


def zeek_lines(rows: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    services = np.array(["http", "ssl", "dns", "ssh", "-"])
    states = np.array(["SF", "S0", "REJ", "RSTO"])
    protos = np.array(["tcp", "udp"])
    chunks = []
    for start in range(0, rows, 100_000):
        n = min(100_000, rows - start)
        chunk = [
            {"ts": 1772359200.0 + (start + i) * 0.01, "uid": f"C{start + i}",
             "id.orig_h": f"10.0.{(start + i) % 250}.{i % 250}", "id.orig_p": int(p),
             "id.resp_h": f"1.0.{i % 7}.{i % 200}", "id.resp_p": int(d), "proto": str(pr),
             "service": str(s), "duration": float(du), "orig_bytes": int(ob),
             "resp_bytes": int(rb), "conn_state": str(st), "orig_pkts": int(op),
             "resp_pkts": int(rp)}
            for i, (p, d, pr, s, du, ob, rb, st, op, rp) in enumerate(zip(
                rng.integers(1024, 65535, n), rng.choice([443, 80, 53, 22], n),
                rng.choice(protos, n), rng.choice(services, n), rng.gamma(2, 0.3, n).round(4),
                rng.lognormal(7, 1, n).astype(int), rng.lognormal(9, 1.5, n).astype(int),
                rng.choice(states, n), rng.poisson(8, n), rng.poisson(10, n), strict=True))
        ]  # fmt: skip
        chunks.append(b"\n".join(orjson.dumps(c) for c in chunk) + b"\n")
    return b"".join(chunks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 records instead of 1,000,000")
    args = parser.parse_args()
    rows = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        train_path, input_path = Path(tmp) / "train.json", Path(tmp) / "conn.json"
        train_path.write_bytes(zeek_lines(50_000, 1))
        input_path.write_bytes(zeek_lines(rows, 2))
        config = MonitorConfig(detectors=("isolation_forest",), weights=None, iforest_trees=100)
        monitor = Monitor(config).fit(read_events(train_path))

        started, cpu_started = time.perf_counter(), time.process_time()
        events = read_events(input_path)
        scores = monitor.score(events)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        assert len(scores) == rows

        X = monitor.features.transform(events)
        assert monitor.ensemble is not None
        detector = monitor.ensemble.detectors[0]
        assert isinstance(detector, IsolationForestDetector)
        started = time.perf_counter()
        ours = detector.score(X)
        detector_seconds = time.perf_counter() - started
        started, cpu_started = time.perf_counter(), time.process_time()
        theirs = -detector.forest.score_samples(X)
        base_seconds = time.perf_counter() - started
        base_cpu_seconds = time.process_time() - cpu_started
        assert np.allclose(ours, theirs)
    figures = {
        "records": rows,
        "seconds": round(seconds, 3),
        "records_per_s": round(rows / seconds),
        "detector_records_per_s": round(rows / detector_seconds),
        "cpu_seconds": round(cpu_seconds, 3),
        "records_per_cpu_s": round(rows / cpu_seconds),
        "cpu_us_per_record": round(1e6 * cpu_seconds / rows, 2),
        "trees": config.iforest_trees,
    }
    baseline = {
        "seconds": round(base_seconds, 3),
        "records_per_s": round(rows / base_seconds),
        "cpu_seconds": round(base_cpu_seconds, 3),
        "records_per_cpu_s": round(rows / base_cpu_seconds),
        "cpu_us_per_record": round(1e6 * base_cpu_seconds / rows, 2),
    }
    print(
        json.dumps(
            {
                "benchmark": "monitor_throughput",
                "figures": figures,
                "baseline": baseline,
                "ratio": round(figures["records_per_s"] / baseline["records_per_s"], 3),
                "cpu_ratio": round(figures["records_per_cpu_s"] / baseline["records_per_cpu_s"], 3),
                "load_average": [round(v, 2) for v in os.getloadavg()],
                "quick": args.quick,
                "cpus": os.cpu_count(),
                "versions": {"python": platform.python_version(), "sklearn": sklearn.__version__},
            }
        )
    )


if __name__ == "__main__":
    main()
