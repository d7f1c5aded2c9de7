"""Step processes: a node keeps one loaded spare; each step gets a process of its own.

A node starts a step process ahead (it loads spu while no step needs it); the next PSI or
SPU step takes it, and no process ever runs a second step. A spare dies with its node.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from silkgate.compute import Directory, Scheduler, TaskSpec, node_tls_context

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

PARTY = "th-siampay"


def _psi(task_id: str) -> TaskSpec:
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": "psi",
            "inputs": [
                {"party": "cn-gxic", "dataset": "cn-customers", "columns": ["customer"]},
                {"party": "sg-lionhealth", "dataset": "sg-customers", "columns": ["customer"]},
            ],
            "receivers": ["cn-gxic"],
            "limits": {"time_s": 60},
        }
    )


def _spare_ready(consortium: Consortium, party: str) -> bool:
    directory = Directory.load(consortium.compute.directory)
    address, tls = directory.node_address(party), node_tls_context(directory, party)
    return bool(httpx.get(address + "/v1/health", timeout=5, verify=tls).json()["spare_ready"])


def _wait(condition: object, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _step_pids(consortium: Consortium, party: str, task_id: str) -> list[int]:
    """The processes that ran ``task_id``'s steps at ``party``, from its engine log."""
    log = consortium.compute.node_state(party) / "engine.log"
    pattern = re.compile(rf"\[step (\d+)\] psi\.run {re.escape(task_id)}: step process loaded")
    return [int(m.group(1)) for m in pattern.finditer(log.read_text(errors="replace"))]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return found


@pytest.fixture
def restarted_afterwards(consortium: Consortium) -> Iterator[None]:
    try:
        yield
    finally:
        if PARTY not in consortium.processes:
            consortium.start(PARTY)


def test_each_psi_step_runs_in_a_process_of_its_own_and_a_loaded_spare_waits(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    _wait(lambda: _spare_ready(consortium, "cn-gxic"), "no spare step process got ready")

    first = scheduler.run(_psi("spare-first"))
    second = scheduler.run(_psi("spare-second"))

    assert first.state == second.state == "succeeded", (first.error, second.error)
    assert first.result is not None
    assert second.result is not None
    assert first.result["intersection"] == second.result["intersection"]
    (first_pid,) = _step_pids(consortium, "cn-gxic", "spare-first")
    (second_pid,) = _step_pids(consortium, "cn-gxic", "spare-second")
    assert first_pid != second_pid, "a step process ran a second step"
    assert not _alive(first_pid), "a used step process is still running"
    _wait(lambda: _spare_ready(consortium, "cn-gxic"), "no new spare after the steps")


def test_a_spare_step_process_dies_with_its_node(
    consortium: Consortium, restarted_afterwards: None
) -> None:
    _wait(lambda: _spare_ready(consortium, PARTY), "no spare step process got ready")
    node = consortium.processes[PARTY].pid
    spares = _children(node)
    assert spares, "the node has no child process"

    os.kill(node, signal.SIGKILL)
    consortium.processes.pop(PARTY).wait(10)

    _wait(lambda: not any(_alive(pid) for pid in spares), "a spare outlived its node", 10)
