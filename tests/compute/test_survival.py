"""A node survives its peers dying: a failed or abandoned spu step never takes it down.

spu's link (yacl over brpc) calls ``exit(-1)`` when an asynchronous send to a dead peer
fails, so a PSI or SPU step whose partner was killed used to end the surviving node's
whole process some seconds later (or hang its request thread). These tests drive the node
operations directly, without the scheduler's ``task.abort``, kill the partner mid-protocol,
and check that the survivor answers the step with TaskFailed, still serves ``/v1/health``
after the link timeout has passed, logged the step, and serves the next task.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest

from silkgate.compute import Directory, Scheduler, TaskFailed, TaskSpec, node_tls_context
from silkgate.compute._client import NodeClient

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

SURVIVOR, VICTIM = "cn-gxic", "th-siampay"
TIME_S = 15.0  # link timeout 0.8 × 15 = 12 s; the node's step limit 0.9 × 15 = 13.5 s


def _inputs(consortium: Consortium, kind: str) -> list[dict[str, Any]]:
    name, column = ("big-keys", "k") if kind == "psi" else ("big-values", "v")
    for party, start in ((SURVIVOR, 0), (VICTIM, 150_000)):
        path = consortium.data[party] / f"{name}.csv"
        if not path.exists():
            values = range(start, start + 300_000)
            frame = pd.DataFrame({column: [f"k{i}" for i in values] if kind == "psi" else values})
            frame.to_csv(path, index=False)
    return [{"party": p, "dataset": name, "columns": [column]} for p in (SURVIVOR, VICTIM)]


def _spec(consortium: Consortium, kind: str, task_id: str, time_s: float) -> TaskSpec:
    params = (
        {"output": "cardinality", "protocol": "ecdh", "curve": "25519"}
        if kind == "psi"
        else {"statistics": ["sum"]}
    )
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": kind,
            "inputs": _inputs(consortium, kind),
            "receivers": [SURVIVOR],
            "params": params,
            "limits": {"time_s": time_s, "retries": 0},
        }
    )


def _health(consortium: Consortium, party: str) -> str:
    directory = Directory.load(consortium.compute.directory)
    address, tls = directory.node_address(party), node_tls_context(directory, party)
    return str(httpx.get(address + "/v1/health", timeout=5, verify=tls).json()["status"])


def _log_lines(consortium: Consortium, party: str) -> list[str]:
    """The engine log of the party's node: its steps' own lines and spu's."""
    log = consortium.compute.node_state(party) / "engine.log"
    return log.read_text(errors="replace").splitlines() if log.exists() else []


def _wait_for_line(consortium: Consortium, party: str, after: int, marker: str) -> bool:
    deadline = time.monotonic() + TIME_S
    while time.monotonic() < deadline:
        if any(marker in line for line in _log_lines(consortium, party)[after:]):
            return True
        time.sleep(0.05)
    return False


def _steps(consortium: Consortium, party: str, task_id: str) -> list[dict[str, Any]]:
    log = consortium.compute.node_state(party) / "steps.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [e for e in entries if e.get("task") == task_id]


@pytest.fixture
def victim_restarted(consortium: Consortium) -> Iterator[None]:
    try:
        yield
    finally:
        if VICTIM not in consortium.processes:
            consortium.start(VICTIM)


@pytest.mark.parametrize(
    ("kind", "op", "marker"),
    [
        pytest.param("psi", "psi.run", "Online] start", id="psi-ecdh"),
        pytest.param("secure_stats", "stats.run", "stats peer-killed-secure_stats rank",
                     id="spu-secure-stats"),
    ],
)  # fmt: skip
def test_survivor_node_outlives_a_peer_killed_mid_step_and_serves_the_retry(
    consortium: Consortium,
    scheduler: Scheduler,
    victim_restarted: None,
    kind: str,
    op: str,
    marker: str,
) -> None:
    task_id = f"peer-killed-{kind}"
    spec = _spec(consortium, kind, task_id, TIME_S)
    client = NodeClient(scheduler.identity, Directory.load(consortium.compute.directory))
    session = f"{task_id}-1"
    parties = [SURVIVOR, VICTIM]
    addresses = [
        client.call(p, "link.prepare", task=spec, session=session, args={}, timeout_s=30)[0][
            "address"
        ]
        for p in parties
    ]
    outcome: dict[str, BaseException | None] = {}

    def run(rank: int) -> None:
        try:
            # the client waits longer than the node's step limit: the node must answer
            args = {"parties": parties, "addresses": addresses, "rank": rank}
            client.call(parties[rank], op, task=spec, session=session, args=args,
                        timeout_s=3 * TIME_S)  # fmt: skip
            outcome[parties[rank]] = None
        except Exception as exc:
            outcome[parties[rank]] = exc

    seen = len(_log_lines(consortium, VICTIM))
    threads = [threading.Thread(target=run, args=(rank,), daemon=True) for rank in (0, 1)]
    for thread in threads:
        thread.start()
    assert _wait_for_line(consortium, VICTIM, seen, marker), "the step never got going"
    consortium.kill(VICTIM)  # mid-protocol; nobody tells the survivor (no task.abort)
    killed_at = time.monotonic()

    threads[0].join(TIME_S + 10)
    assert not threads[0].is_alive(), "the survivor's step outlived its time limit"
    assert isinstance(outcome[SURVIVOR], TaskFailed), outcome[SURVIVOR]
    # Past the link timeout, when spu used to take the whole process down with the step.
    time.sleep(max(0.8 * TIME_S + 2 - (time.monotonic() - killed_at), 0))
    assert consortium.processes[SURVIVOR].poll() is None, "the survivor's process died"
    assert _health(consortium, SURVIVOR) == "ok"
    (logged,) = [s for s in _steps(consortium, SURVIVOR, task_id) if s["op"] == op]
    assert logged["outcome"].startswith("TaskFailed")

    consortium.start(VICTIM)
    state = consortium.compute.node_state(VICTIM)
    assert not list(state.glob(f"{op}-*")), "the restarted node kept a killed step's workdir"
    retry = scheduler.run(_spec(consortium, kind, f"{task_id}-retry", 120))

    assert retry.state == "succeeded", retry.error
    assert retry.result is not None
    if kind == "psi":
        assert retry.result["count"] == 150_000
    else:
        assert retry.result["sum"] == sum(range(300_000)) + sum(range(150_000, 450_000))
    assert _health(consortium, SURVIVOR) == "ok"


def test_abort_ends_a_running_step_and_refuses_its_attempt(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    spec = _spec(consortium, "psi", "aborted-step", 60)
    client = NodeClient(scheduler.identity, Directory.load(consortium.compute.directory))
    session = "aborted-step-1"
    # The peer's address is a port nobody serves: the step waits for a peer that never comes.
    (address,) = [client.call(p, "link.prepare", task=spec, session=session, args={},
                              timeout_s=30)[0]["address"] for p in (VICTIM,)]  # fmt: skip
    mine = client.call(SURVIVOR, "link.prepare", task=spec, session=session, args={},
                       timeout_s=30)[0]["address"]  # fmt: skip
    args = {"parties": [SURVIVOR, VICTIM], "addresses": [mine, address], "rank": 0}
    errors: list[BaseException] = []

    def run() -> None:
        try:
            client.call(SURVIVOR, "psi.run", task=spec, session=session, args=args, timeout_s=60)
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    # the step runs once a step process (the node's spare, or a new one) has taken it
    while time.monotonic() < deadline and not any(
        "psi.run aborted-step: step process" in line for line in _log_lines(consortium, SURVIVOR)
    ):
        time.sleep(0.05)
    started = time.monotonic()
    answer, _ = client.call(SURVIVOR, "task.abort", task=spec, session=session, args={},
                            timeout_s=30)  # fmt: skip
    thread.join(15)

    assert not thread.is_alive(), "psi.run still runs after task.abort"
    assert time.monotonic() - started < 15
    assert answer == {"aborted": 1}
    assert len(errors) == 1
    assert isinstance(errors[0], TaskFailed), errors
    assert "aborted" in str(errors[0])
    with pytest.raises(TaskFailed, match="aborted"):  # a late step of the attempt is refused
        client.call(SURVIVOR, "psi.run", task=spec, session=session, args=args, timeout_s=30)
    assert _health(consortium, SURVIVOR) == "ok"
    outcomes = [s["outcome"] for s in _steps(consortium, SURVIVOR, "aborted-step")]
    assert sum("aborted" in o for o in outcomes) == 2
