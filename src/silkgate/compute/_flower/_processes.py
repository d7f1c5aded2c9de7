"""Flower's processes, started so that none outlives the task that started it.

Each command runs through a small launcher that asks Linux to kill it when the thread that
started it ends (``PR_SET_PDEATHSIG``, kept across ``exec``), in a session of its own.
``stop`` ends the whole tree: Flower's SuperLink and SuperNode start a SuperExec, which
starts the ServerApp or ClientApp processes, some in sessions of their own, so the tree is
read (psutil) before its root is stopped and what is left of it is killed after.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(125)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)
STOP_GRACE_S = 3.0


def scripts_dir() -> Path:
    """Where this environment's console scripts (flower-superlink, flwr…) live."""
    return Path(sysconfig.get_path("scripts"))


def flower_env(home: Path) -> dict[str, str]:
    """The environment Flower's processes run in: this Python's scripts first, own home."""
    path = os.pathsep.join([str(scripts_dir()), os.environ.get("PATH", "")])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLWR_", "SILKGATE_"))}
    return env | {
        "PATH": path,
        "FLWR_HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        "FLWR_TELEMETRY_ENABLED": "0",
        "FLWR_SUPEREXEC_TASK_POLL_INTERVAL": "0.2",  # the default 1 s adds up per message
    }


def launch(
    command: Sequence[str], *, env: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """Start ``command`` (a console script of this environment) to die with this thread."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *command],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )  # fmt: skip


def tree(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The process and its descendants still running."""
    try:
        root = psutil.Process(process.pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    """User and system CPU of ``processes`` and of their children they already reaped."""
    total = 0.0
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def stop(process: subprocess.Popen[bytes], *, grace_s: float = STOP_GRACE_S) -> float:
    """End ``process`` and every descendant; the CPU seconds the tree had used."""
    members = tree(process)
    used = cpu_seconds(members)
    for proc in members:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(members, timeout=grace_s)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace_s)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace_s)  # reap the root: no zombie left behind
    return used


def wait_for_port(host: str, port: int, *, process: subprocess.Popen[bytes],
                  timeout_s: float) -> None:  # fmt: skip
    """Return once ``host:port`` accepts connections; raise if the process ends first."""
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        if process.poll() is not None:
            raise RuntimeError(f"process exited with status {process.returncode} before serving")
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing served on {host}:{port} within {timeout_s:g} s")
        time.sleep(0.2)
