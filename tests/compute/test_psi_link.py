"""The brpc link between two parties' step processes forms however far apart they start.

Each party meets its peers on its own link address before spu opens the link (see
`_link`); a party whose peer never comes fails with the peer's rank named.
"""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from silkgate.compute import TaskFailed
from silkgate.compute._engines._link import make_link, meet_peers, reserve_port

pytestmark = [pytest.mark.multiprocess]


def _party(rank: int, addresses: list[str], delay_s: float, answers: mp.Queue) -> None:  # type: ignore[type-arg]
    time.sleep(delay_s)
    link = make_link("link-test-1", ["a", "b"], addresses, rank, 30.0)
    try:
        answers.put((rank, [str(m) for m in link.all_gather(f"from {rank}")]))
    finally:
        link.stop_link()


@pytest.mark.parametrize("delay_s", [pytest.param(0.0, id="together"),
                                     pytest.param(1.5, id="1.5s-apart")])  # fmt: skip
def test_link_forms_and_carries_messages_both_ways(delay_s: float) -> None:
    context = mp.get_context("spawn")
    answers = context.Queue()
    addresses = [f"127.0.0.1:{reserve_port('127.0.0.1')}" for _ in range(2)]
    parties = [
        context.Process(target=_party, args=(rank, addresses, rank * delay_s, answers))
        for rank in range(2)
    ]
    for process in parties:
        process.start()

    got = sorted(answers.get(timeout=60) for _ in parties)
    for process in parties:
        process.join(10)

    assert got == [(0, ["from 0", "from 1"]), (1, ["from 0", "from 1"])]
    assert [p.exitcode for p in parties] == [0, 0]


def test_a_party_whose_peer_never_comes_fails_naming_it() -> None:
    addresses = [f"127.0.0.1:{reserve_port('127.0.0.1')}" for _ in range(3)]

    with pytest.raises(TaskFailed, match=r"ranks \[0, 2\] were not ready"):
        meet_peers("lonely-1", addresses, 1, 0.5)
