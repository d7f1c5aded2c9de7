"""PSI benchmark: N × N keys (half shared) between two node processes through the task API.

Baseline: ``spu.psi.psi_execute`` called directly by two bare processes on the same files,
timed from the moment both (spu loaded, brpc started) open their link together to the end
of the PSI; the task is timed from ``Scheduler.run`` to its record, once both nodes have
finished starting (their spare step processes loaded spu, see `silkgate.compute`'s docs).
``python benchmarks/psi.py [--quick] [--n N] [--protocol rr22|kkrt|ecdh]``
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
from threading import Barrier

import numpy as np


def write_keys(path: Path, start: int, n: int) -> None:
    keys = np.arange(start, start + n)
    with path.open("w") as out:
        out.write("id\n")
        out.write("\n".join(f"u{k:012d}" for k in keys))
        out.write("\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _direct(
    rank: int,
    ports: list[int],
    path: str,
    out: str,
    protocol: str,
    queue: mp.Queue,  # type: ignore[type-arg]
    ready: Barrier,
) -> None:
    import spu.libspu as libspu
    import spu.psi as psi

    desc = libspu.link.Desc()
    desc.id = "baseline"
    desc.recv_timeout_ms = 600_000
    desc.throttle_window_size = 0  # the link settings of silkgate's links (`make_link`)
    retry = desc.retry_opts  # a failed first connect is resent after 0.1 s, not 1 s
    retry.retry_interval_ms, retry.retry_interval_incr_ms, retry.max_retry = 100, 200, 9
    desc.retry_opts = retry
    for i, port in enumerate(ports):
        desc.add_party(f"p{i}", f"127.0.0.1:{port}")
    # brpc's runtime starts before the timer (as in a node's step), and both open the link
    # at once: a party that connects before its peer listens waits 1-4 s for brpc to revive
    # the connection, which would make the baseline slower than the direct call is.
    warm_up = libspu.link.Desc()
    warm_up.add_party("self", f"127.0.0.1:{_free_port()}")
    libspu.link.create_brpc(warm_up, 0).stop_link()
    ready.wait()
    started = time.perf_counter()
    link = libspu.link.create_brpc(desc, rank)
    names = {"rr22": "PROTOCOL_RR22", "kkrt": "PROTOCOL_KKRT", "ecdh": "PROTOCOL_ECDH"}
    config = psi.PsiExecuteConfig(
        protocol_conf=psi.PsiProtocolConfig(
            protocol=psi.parse_protocol(names[protocol]),
            receiver_rank=0,
            ecdh_params=psi.EcdhParams(curve=psi.parse_curve_type("CURVE_FOURQ")),
        ),
        input_params=psi.InputParams(path=path, selected_keys=["id"], keys_unique=True),
        output_params=psi.OutputParams(path=out, disable_alignment=True),
    )
    report = psi.psi_execute(config, link)
    link.stop_link()
    queue.put((rank, time.perf_counter() - started, report.intersection_count))


def baseline(files: list[Path], work: Path, protocol: str) -> float:
    context = mp.get_context("spawn")
    queue = context.Queue()
    ready = context.Barrier(2)
    ports = [_free_port(), _free_port()]
    procs = [
        context.Process(target=_direct, args=(r, ports, str(files[r]), str(work / f"out{r}.csv"),
                                              protocol, queue, ready))
        for r in range(2)
    ]  # fmt: skip
    for p in procs:
        p.start()
    results = [queue.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    return max(seconds for _rank, seconds, _count in results)


def silkgate_run(files: list[Path], work: Path, protocol: str, n: int) -> tuple[float, int]:
    from silkgate.compute import ComputeHome, Grant, StaticGrants, TaskSpec

    home = work / "home"
    parties = ["cn-gxic", "sg-lionhealth"]
    grants = StaticGrants([Grant(grantee="cn-gxic", dataset="keys", kinds=frozenset({"psi"}))])
    compute = ComputeHome.of(home)
    grants.write(compute.grants)
    procs = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    for party, file in zip(parties, files, strict=True):
        data = work / party
        data.mkdir()
        os.link(file, data / "keys.csv")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "silkgate.compute", "--home", str(home), "--party", party,
             "--data", str(data)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))  # fmt: skip
    try:
        from silkgate.compute import Directory

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            d = Directory.load(compute.directory) if compute.directory.exists() else Directory()
            if all(p in d.principals for p in parties):
                break
            time.sleep(0.1)
        _wait_until_started([d.node_address(p) for p in parties], deadline)
        with compute.open_scheduler(grants=grants) as scheduler:
            spec = TaskSpec.model_validate(
                {
                    "kind": "psi",
                    "inputs": [{"party": p, "dataset": "keys", "columns": ["id"]} for p in parties],
                    "receivers": ["cn-gxic"],
                    "params": {"protocol": protocol, "keys_unique": True},
                    "limits": {"time_s": 900, "rows": n + 1},
                }
            )
            started = time.perf_counter()
            record = scheduler.run(spec)
            seconds = time.perf_counter() - started
            if record.result is None:
                raise SystemExit(f"task failed: {record.error}")
            return seconds, int(record.result["count"])
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


def _wait_until_started(addresses: list[str], deadline: float) -> None:
    """Until each node has finished starting: its spare step process has loaded spu.

    A node that has run for a few seconds is in this state; the timed task starts then.
    """
    import httpx

    waiting = list(addresses)
    while waiting and time.monotonic() < deadline:
        try:
            if httpx.get(waiting[0] + "/v1/health", timeout=5).json().get("spare_ready"):
                waiting.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    if waiting:
        raise SystemExit(f"nodes at {waiting} did not finish starting")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int)
    parser.add_argument("--protocol", default="rr22", choices=["rr22", "kkrt", "ecdh"])
    args = parser.parse_args()
    n = args.n or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = [work / "a.csv", work / "b.csv"]
        write_keys(files[0], 0, n)
        write_keys(files[1], n // 2, n)
        base = baseline(files, work, args.protocol)
        seconds, count = silkgate_run(files, work, args.protocol, n)
    assert count == n - n // 2, count
    import spu

    print(json.dumps({
        "benchmark": "psi",
        "figures": {"n": n, "seconds": round(seconds, 3), "intersection": count,
                    "protocol": args.protocol},
        "baseline": {"seconds": round(base, 3)},
        "ratio": round(seconds / base, 3),
        "cpus": os.cpu_count(), "python": platform.python_version(), "spu": spu.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
