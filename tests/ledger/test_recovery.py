"""A peer process killed in the middle of a commit reopens consistent and catches up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from silkgate.ledger import Consortium, verify_ledger

from .conftest import register


@pytest.mark.multiprocess
def test_kill_during_commit_leaves_previous_height_then_recovers(consortium: Consortium) -> None:
    register(consortium.client("cn-gxic"))
    home = consortium.home
    height = consortium.peer().height
    consortium.close()
    with subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_committer.py")), str(home), str(height)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert line == "IN-COMMIT"

    reopened = Consortium(home).start(sync=False)
    try:
        assert reopened.peer("cn-gxic").height == height
        assert reopened.orderer.height == height + 1
        assert all(r.ok for r in verify_ledger(home))

        reopened.settle()

        assert reopened.peers_agree()
        assert reopened.peer("cn-gxic").height == height + 1
        assert len(reopened.peer("cn-gxic").range("consent/", "consent0")) == 40
    finally:
        reopened.close()
    assert all(r.ok for r in verify_ledger(home))
