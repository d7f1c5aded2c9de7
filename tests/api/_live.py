"""A `silkgate serve` process over a prepared data directory, for end-to-end API tests.

The directory holds the demo consortium and the four demo datasets' files (not yet
published); the server's output goes to files beside it, so a failing test can show it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from silkgate.config import load_settings
from silkgate.demo import DEMO_PARTIES, SPECS, init_consortium, write_sample
from silkgate.gate import Platform
from tests._servers import free_port

PATIENT_ROWS = 12_600
"""Rows of cn-gxic's outpatient visits: 10,080 patients, over the CAC assessment threshold."""
OTHER_ROWS = 200


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}


def write_files(home: Path) -> dict[str, str]:
    """Each demo dataset's file under HOME/data/OWNER; dataset id → file name."""
    parties = {p.id: p for p in DEMO_PARTIES}
    names = {}
    for number, spec in enumerate(SPECS):
        rows = PATIENT_ROWS if spec.dataset_id == "cn-gxic-outpatients" else OTHER_ROWS
        sample = write_sample(spec, parties[spec.party_id], home / "data" / spec.party_id, rows,
                              7 + number)  # fmt: skip
        names[spec.dataset_id] = sample.path.name
    return names


@dataclass
class Live:
    """A running server, its data directory and a client per token."""

    home: Path
    base: str
    files: dict[str, str]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, who: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base}/api/v1",
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=180.0,
        )

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self.as_(who) as client:
            return client.request(method, path, **kwargs)


@contextmanager
def live_server(home: Path) -> Iterator[Live]:
    """Register the demo consortium, issue an admin token, write the files, then serve;
    stop the server afterwards."""
    with Platform(load_settings(home)) as platform:
        init_consortium(platform)
        admin = platform.accounts.issue(label="e2e admin", roles=["admin"]).secret
    files = write_files(home)
    port = free_port()
    log = home.parent / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "silkgate", "--data-dir", str(home), "serve", "--port",
             str(port)],
            env=_env(), stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"silkgate serve exited {process.returncode}: "
                                   f"{log.read_text(errors='replace')[-2000:]}")  # fmt: skip
            try:
                httpx.get(f"{base}/health", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield Live(home=home, base=base, files=files, log=log, tokens={"admin": admin})
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
