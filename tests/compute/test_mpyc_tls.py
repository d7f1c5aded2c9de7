"""MPyC's links between nodes are mutual TLS with the session's certificates.

Two step processes start MPyC runtimes as the nodes' ``stats.mpyc`` steps do; with the
session's certificates they connect, and a party handed a stranger's certificate for its
peer connects to no one.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from pathlib import Path

import pytest

from silkgate.compute import TaskFailed
from silkgate.compute._engines._link import LinkTls, issue_link_certificate, reserve_port
from silkgate.compute._engines._mpyc import _start_runtime, _tls_files

pytestmark = [pytest.mark.multiprocess]
SESSION = "mpyc-tls-1"


def _party(rank: int, addresses: list[str], state_dir: str, certificates: list[str],
           workdir: str, answers: mp.Queue) -> None:  # type: ignore[type-arg]  # fmt: skip
    tls = LinkTls.for_step(Path(state_dir), SESSION, certificates, rank)
    mpc = _start_runtime(addresses, rank, _tls_files(tls, Path(workdir), rank))
    mpc.run(mpc.start())
    shared = mpc.input(mpc.SecInt(32)(rank + 1))
    total = mpc.run(mpc.output(mpc.sum(shared)))
    mpc.run(mpc.shutdown())
    answers.put((rank, int(total)))


def _run(tmp_path: Path, views: list[list[str]], states: list[Path]) -> list[tuple[int, int]]:
    context = mp.get_context("spawn")
    answers = context.Queue()
    addresses = [f"127.0.0.1:{reserve_port('127.0.0.1')}" for _ in range(2)]
    parties = [
        context.Process(target=_party, daemon=True,
                        args=(rank, addresses, str(states[rank]), views[rank],
                              str(tmp_path / f"work{rank}"), answers))
        for rank in range(2)
    ]  # fmt: skip
    for process in parties:
        process.start()
    got: list[tuple[int, int]] = []
    try:
        for _ in parties:
            got.append(answers.get(timeout=20))
    except queue.Empty:
        pass
    finally:
        for process in parties:
            process.kill()
            process.join(10)
    return sorted(got)


def _certificates(tmp_path: Path) -> tuple[list[Path], list[str]]:
    states = [tmp_path / f"node{rank}" for rank in range(2)]
    return states, [issue_link_certificate(s, SESSION, f"p{r}", r) for r, s in enumerate(states)]


def test_parties_holding_the_session_certificates_compute_together(tmp_path: Path) -> None:
    states, certificates = _certificates(tmp_path)

    assert _run(tmp_path, [certificates, certificates], states) == [(0, 3), (1, 3)]


def test_a_party_handed_a_strangers_certificate_connects_to_no_one(tmp_path: Path) -> None:
    states, certificates = _certificates(tmp_path)
    stranger = issue_link_certificate(tmp_path / "stranger", SESSION, "p1", 1)

    assert _run(tmp_path, [[certificates[0], stranger], certificates], states) == []


def test_a_step_refuses_certificates_that_do_not_list_its_own(tmp_path: Path) -> None:
    states, certificates = _certificates(tmp_path)
    with pytest.raises(TaskFailed, match="do not list this node's"):
        LinkTls.for_step(states[0], SESSION, [certificates[1], certificates[0]], 0)
    with pytest.raises(TaskFailed, match=r"link\.prepare first"):
        LinkTls.for_step(tmp_path / "elsewhere", SESSION, certificates, 0)
