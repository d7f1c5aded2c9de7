"""MPC benchmark: secure sum, mean and variance of N values held by three parties (ABY3).

Through the task API with three node processes on loopback; baseline: the same SPU
computation driven directly by three bare processes (link, shares, runtime) on the same
values. ``python benchmarks/mpc.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PARTIES = ("cn-gxic", "sg-lionhealth", "th-siampay")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _direct(rank: int, ports: list[int], path: str, lengths: list[int], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import jax
    import jax.numpy as jnp
    import spu
    import spu.libspu as libspu
    from spu.utils import frontend

    jax.config.update("jax_enable_x64", True)
    values = pd.read_parquet(path)["x"].to_numpy().astype(np.int64)
    started = time.perf_counter()
    desc = libspu.link.Desc()
    desc.id = "baseline"
    desc.recv_timeout_ms = 600_000
    for i, port in enumerate(ports):
        desc.add_party(f"p{i}", f"127.0.0.1:{port}")
    link = libspu.link.create_brpc(desc, rank)
    config = libspu.RuntimeConfig(protocol=libspu.ProtocolKind.ABY3, field=libspu.FieldType.FM128)
    config.fxp_fraction_bits = 40
    io = spu.Io(3, config)
    shares = io.make_shares(values, libspu.Visibility.VIS_SECRET)
    for peer in range(3):
        if peer != rank:
            link.send_async(peer, shares[peer].meta)
            link.send_async(peer, str(len(shares[peer].share_chunks)))
            for chunk in shares[peer].share_chunks:
                link.send_async(peer, chunk)
    mine = []
    for peer in range(3):
        if peer == rank:
            mine.append(shares[rank])
            continue
        share = libspu.Share()
        share.meta = link.recv(peer)
        count = int(link.recv(peer))
        share.share_chunks = [link.recv(peer) for _ in range(count)]
        mine.append(share)

    def stats(a, b, c):  # type: ignore[no-untyped-def]
        x = jnp.concatenate([a, b, c])
        total = jnp.sum(x)
        mean = total.astype(jnp.float64) / x.shape[0]
        centred = x.astype(jnp.float64) - mean
        return total, mean, jnp.sum(centred * centred) / x.shape[0]

    examples = [np.zeros(length, dtype=np.int64) for length in lengths]
    executable, _ = frontend.compile(frontend.Kind.JAX, stats, examples, {}, ["a", "b", "c"],
                                     [libspu.Visibility.VIS_SECRET] * 3,
                                     lambda outs: [f"o{i}" for i in range(len(outs))])  # fmt: skip
    runtime = spu.Runtime(link, config)
    for name, share in zip(["a", "b", "c"], mine, strict=True):
        runtime.set_var(name, share)
    runtime.run(executable)
    outputs = [runtime.get_var(n) for n in executable.output_names]
    if rank == 0:
        gathered = [outputs]
        for peer in (1, 2):
            got = []
            for _ in outputs:
                share = libspu.Share()
                share.meta = link.recv(peer)
                count = int(link.recv(peer))
                share.share_chunks = [link.recv(peer) for _ in range(count)]
                got.append(share)
            gathered.append(got)
        revealed = [io.reconstruct([gathered[p][i] for p in range(3)]) for i in range(3)]
        queue.put((time.perf_counter() - started, [float(v) for v in revealed]))
    else:
        for share in outputs:
            link.send(0, share.meta)
            link.send(0, str(len(share.share_chunks)))
            for chunk in share.share_chunks:
                link.send(0, chunk)
        queue.put((time.perf_counter() - started, None))
    link.stop_link()


def baseline(paths: list[Path], lengths: list[int]) -> float:
    context = mp.get_context("spawn")
    queue = context.Queue()
    ports = [_free_port() for _ in paths]
    procs = [context.Process(target=_direct, args=(r, ports, str(paths[r]), lengths, queue))
             for r in range(3)]  # fmt: skip
    for p in procs:
        p.start()
    results = [queue.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    return max(seconds for seconds, _ in results)


def through_silkgate(paths: list[Path], work: Path, n: int) -> tuple[float, dict[str, float]]:
    from silkgate.compute import ComputeHome, Directory, Grant, StaticGrants, TaskSpec

    compute = ComputeHome.of(work / "home")
    grants = StaticGrants(
        [Grant(grantee="cn-gxic", dataset="values", kinds=frozenset({"secure_stats"}))]
    )
    grants.write(compute.grants)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    procs = []
    for party, path in zip(PARTIES, paths, strict=True):
        data = work / party
        data.mkdir()
        os.link(path, data / "values.parquet")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "silkgate.compute", "--home", str(work / "home"),
             "--party", party, "--data", str(data)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            d = Directory.load(compute.directory) if compute.directory.exists() else Directory()
            if all(p in d.principals for p in PARTIES):
                break
            time.sleep(0.1)
        with compute.open_scheduler(grants=grants) as scheduler:
            spec = TaskSpec.model_validate(
                {
                    "kind": "secure_stats",
                    "inputs": [
                        {"party": p, "dataset": "values", "columns": ["x"]} for p in PARTIES
                    ],
                    "receivers": ["cn-gxic"],
                    "params": {"statistics": ["sum", "mean", "variance"]},
                    "limits": {"time_s": 1800},
                }
            )
            started = time.perf_counter()
            record = scheduler.run(spec)
            seconds = time.perf_counter() - started
            assert record.result is not None, record.error
            return seconds, record.result
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 30_000 if args.quick else 1_000_000
    rng = np.random.default_rng(9)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts = np.array_split(rng.integers(0, 1000, n), 3)
        paths = []
        for i, part in enumerate(parts):
            paths.append(work / f"v{i}.parquet")
            pd.DataFrame({"x": part}).to_parquet(paths[-1])
        values = np.concatenate(parts).astype(float)
        seconds, result = through_silkgate(paths, work, n)
        base = baseline(paths, [len(p) for p in parts])
    assert result["sum"] == int(values.sum())
    import spu

    print(json.dumps({
        "benchmark": "mpc",
        "figures": {"n": n, "seconds": round(seconds, 3), "protocol": result["protocol"],
                    "mean_abs_error": abs(result["mean"] - values.mean()),
                    "variance_rel_error": abs(result["variance"] - values.var()) / values.var()},
        "baseline": {"seconds": round(base, 3)},
        "ratio": round(seconds / base, 3),
        "cpus": os.cpu_count(), "python": platform.python_version(), "spu": spu.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
