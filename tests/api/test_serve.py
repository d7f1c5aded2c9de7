"""`silkgate serve` as a real process on a loopback port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests._servers import silkgate_server

pytestmark = pytest.mark.multiprocess


def _token(home: Path, role: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "silkgate", "--data-dir", str(home), "--json", "token", "create",
         "--role", role],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return str(httpx.Response(200, content=done.stdout).json()["token"])


def test_serve_answers_health_and_guards_the_api(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-m", "silkgate", "--data-dir", str(home), "init"], check=True,
                   capture_output=True)  # fmt: skip
    auditor, consumer = _token(home, "auditor"), _token(home, "data_consumer")
    with silkgate_server(home) as base:
        health = httpx.get(f"{base}/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/api/v1/parties").status_code == 401
        forbidden = httpx.get(
            f"{base}/api/v1/tokens", headers={"Authorization": f"Bearer {auditor}"}
        )
        assert forbidden.status_code == 403
        parties = httpx.get(
            f"{base}/api/v1/parties", headers={"Authorization": f"Bearer {consumer}"}
        )
        assert {p["jurisdiction"] for p in parties.json()} == {"CN", "SG", "VN", "TH"}
        spec = httpx.get(f"{base}/openapi.json").json()
        assert "/api/v1/parties" in spec["paths"]
