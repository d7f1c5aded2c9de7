"""Task lifecycle across real node processes: failure of a killed node, retry, cancel, metering."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from silkgate.compute import Scheduler, TaskSpec

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]


def _big_psi(consortium: Consortium, task_id: str, retries: int) -> TaskSpec:
    for party, start in (("cn-gxic", 0), ("th-siampay", 150_000)):
        path = consortium.data[party] / "big-keys.csv"
        if not path.exists():
            pd.DataFrame({"k": [f"k{i}" for i in range(start, start + 300_000)]}).to_csv(
                path, index=False
            )
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": "psi",
            "inputs": [
                {"party": "cn-gxic", "dataset": "big-keys", "columns": ["k"]},
                {"party": "th-siampay", "dataset": "big-keys", "columns": ["k"]},
            ],
            "receivers": ["cn-gxic"],
            "params": {"output": "cardinality", "protocol": "ecdh", "curve": "25519"},
            "limits": {"time_s": 60, "retries": retries},
        }
    )


def test_killed_node_fails_the_task_cleanly_and_the_retry_succeeds(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    record = scheduler.submit(_big_psi(consortium, "killed-mid-task", retries=0))
    deadline = time.monotonic() + 30
    while scheduler.status(record.id).state != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # inside the PSI exchange (ECDH over 300k keys takes several seconds)

    consortium.kill("th-siampay")
    failed = scheduler.wait(record.id, timeout_s=60)

    assert failed.state == "failed"
    assert "th-siampay" in (failed.error or "")
    consortium.start("th-siampay")
    retried = scheduler.retry(record.id)
    done = scheduler.wait(retried.id, timeout_s=90)
    assert done.state == "succeeded", done.error
    assert done.result is not None
    assert done.result["count"] == 150_000
    assert done.attempts == 2


def test_cancel_stops_a_running_task(consortium: Consortium, scheduler: Scheduler) -> None:
    record = scheduler.submit(_big_psi(consortium, "cancelled", retries=0))

    cancelled = scheduler.cancel(record.id)

    assert cancelled.state == "cancelled"
    time.sleep(0.5)
    assert scheduler.status(record.id).state == "cancelled"


def test_metering_records_each_party(consortium: Consortium, scheduler: Scheduler) -> None:
    spec = _big_psi(consortium, "metered", retries=0)

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    for party in ("cn-gxic", "th-siampay"):
        metering = record.metering[party]
        assert metering.rows == 300_000
        assert metering.cpu_s > 0
        assert metering.bytes_exchanged > 0
        assert metering.io_bytes > 0
