"""The scheduler's side of a Flower run: a SuperLink on loopback and one run launched on it.

The SuperLink serves, over TLS with a certificate made for this attempt (`_tls`), the Fleet
API the parties' SuperNodes connect to and the Control API ``flwr run`` submits the run
through (the app is built into a FAB from a generated ``pyproject.toml`` whose components
are `_server_app` and `_client_app`). The ServerApp writes its outcome as JSON beside the
job file; ``close`` ends the SuperLink and every process it started, which is also what
tells the SuperNodes the run is over.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from silkgate.compute._engines._link import reserve_port
from silkgate.compute._flower._processes import flower_env, launch, scripts_dir, stop, wait_for_port
from silkgate.compute._flower._tls import make_superlink_tls

START_TIMEOUT_S = 60.0
_APP_TOML = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "silkgate-fl-train"
version = "1.0.0"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["."]

[tool.flwr.app]
publisher = "silkgate"

[tool.flwr.app.components]
serverapp = "silkgate.compute._flower._server_app:app"
clientapp = "silkgate.compute._flower._client_app:app"

[tool.flwr.app.config]
job-path = ""
"""


class FederationFailed(RuntimeError):
    """The SuperLink or the run ended without an outcome."""


class Federation:
    """One SuperLink for one task attempt, under ``workdir``; ``close()`` stops everything."""

    def __init__(self, workdir: Path, *, host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.host = host
        self.port = 0
        self.run_id: str | None = None
        self.cpu_s = 0.0
        self.ca_pem = ""
        self._home = workdir / "flwr-home"
        self._home.mkdir(parents=True, exist_ok=True)
        self._outcome = workdir / "outcome.json"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "superlink.log"

    def start(self) -> str:
        """Start the SuperLink; return the address SuperNodes connect to."""
        tls = make_superlink_tls(self.workdir / "tls", self.host)
        self.ca_pem = tls.ca_cert.read_text(encoding="ascii")
        self.port = reserve_port(self.host)
        self._process = launch(
            ["flower-superlink", "--ssl-certfile", str(tls.cert), "--ssl-keyfile", str(tls.key),
             "--ssl-ca-certfile", str(tls.ca_cert), "--host", self.host, "--port", str(self.port),
             "--isolation", "subprocess", "--disable-runtime-dependency-installation"],
            env=flower_env(self._home), log_path=self.log_path,
        )  # fmt: skip
        try:
            wait_for_port(self.host, self.port, process=self._process, timeout_s=START_TIMEOUT_S)
        except (RuntimeError, TimeoutError) as exc:
            raise FederationFailed(f"the SuperLink did not start: {exc}") from None
        connection = {"address": self.address, "root-certificates": str(tls.ca_cert)}
        (self._home / "config.toml").write_text(
            '[superlink]\ndefault = "task"\n\n[superlink.task]\n'
            + "".join(f"{k} = {json.dumps(v)}\n" for k, v in connection.items()),
            encoding="utf-8",
        )
        return self.address

    def launch_run(self, job: dict[str, Any]) -> str:
        """Submit the run through the Control API (``flwr run``); return its run id."""
        app = self.workdir / "app"
        app.mkdir(exist_ok=True)
        (app / "pyproject.toml").write_text(_APP_TOML, encoding="utf-8")
        job_path = self.workdir / "job.json"
        job_path.write_text(json.dumps(job | {"outcome_path": str(self._outcome)}), "utf-8")
        try:
            done = self._flwr_run(app, job_path)
        except subprocess.TimeoutExpired:
            raise FederationFailed("flwr run did not answer in time") from None
        try:
            answer = json.loads(done.stdout[done.stdout.index("{") :])
        except ValueError:
            answer = {}
        if done.returncode != 0 or not answer.get("success"):
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise FederationFailed(f"flwr run did not start the run: {reason[0][:500]}")
        self.run_id = str(answer["run-id"])
        return self.run_id

    def _flwr_run(self, app: Path, job_path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(scripts_dir() / "flwr"), "run", str(app), "task", "--format", "json",
             "--run-config", f"job-path={json.dumps(str(job_path))}"],
            env=flower_env(self._home), capture_output=True, text=True, timeout=START_TIMEOUT_S,
            cwd=self.workdir, check=False,
        )  # fmt: skip

    def wait_outcome(self, *, deadline: float, stop_waiting: Callable[[], bool]) -> dict[str, Any]:
        """The ServerApp's outcome; raise if the SuperLink dies, time runs out or we must stop."""
        assert self._process is not None
        while not self._outcome.exists():
            if self._process.poll() is not None:
                raise FederationFailed(f"the SuperLink exited (status {self._process.returncode})")
            if time.monotonic() > deadline:
                raise FederationFailed("the run did not finish within the task's time limit")
            if stop_waiting():
                raise FederationFailed("the run was abandoned before it finished")
            time.sleep(0.5)
        outcome: dict[str, Any] = json.loads(self._outcome.read_text(encoding="utf-8"))
        if "error" in outcome:
            raise FederationFailed(f"the ServerApp failed: {outcome['error']}")
        return outcome

    def close(self) -> None:
        if self._process is not None:
            self.cpu_s = stop(self._process)
            self._process = None

    def __enter__(self) -> Federation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
