"""Engine steps that run spu's native code (PSI, SPU MPC) run in a child process of the node.

Why: spu 0.9.5's link (yacl over brpc) ends the *whole process* with ``exit(-1)`` when an
asynchronous send to a peer fails, e.g. when the peer's node died mid-protocol, and a step
whose peer vanished can stay blocked in native code, out of reach of any Python timeout.
In a child process such a failure ends only the child. The node waits for the child up to
the step's time limit (0.9 × ``limits.time_s``, when the scheduler stops waiting for the
reply), kills it then or when the scheduler aborts the attempt (``task.abort``), and
answers the request with ``TaskFailed``; the node itself, and its other steps, carry on.

Protocol, parent → child: ``python -c … PARENT_PID RESULT_FD`` (running `child`)
in a new session (so a kill reaches spu's helper processes too), with the step as one
JSON line on stdin: operation, party, task, session, args, data directory, budgets file,
workdir, host and time limit. ``TMPDIR`` is the step's workdir, so the files spu stages
there (sorted keys) go when the node removes the workdir, even after a kill. Child →
parent: one JSON document on the result pipe, ``{"result", "metering"}`` or ``{"error",
"message", "field"}``; then the child leaves with ``os._exit`` (no native destructors
run). Nothing is pickled in either direction, and peers never talk to this channel.

The child dies with the node: it asks Linux for SIGKILL when its parent thread ends
(``PR_SET_PDEATHSIG``), ends itself when its stdin reaches EOF (the node closed it or
died), and ends itself a little after its own time limit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from silkgate.compute._errors import BudgetExhausted, TaskFailed, TaskRefused
from silkgate.domain import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    SilkgateError,
    Unauthenticated,
)

if TYPE_CHECKING:
    from silkgate.compute._engines._base import Json, StepContext
    from silkgate.compute._metering import Meter

log = logging.getLogger("silkgate.compute.node")

# Errors a child may report by name; anything else comes back as TaskFailed.
_ERRORS: dict[str, type[SilkgateError]] = {
    cls.__name__: cls
    for cls in (
        BudgetExhausted, TaskRefused, NotFound, Conflict, InvalidInput, Unauthenticated,
        AccessDenied, TaskFailed,
    )
}  # fmt: skip
STEP_SHARE = 0.9  # of limits.time_s: the scheduler's read timeout for one call
_GRACE_S = 5.0  # the child's own deadline lies this far past the node's
_EXIT_WAIT_S = 5.0  # after its reply, the child has this long to exit before it is killed
_PR_SET_PDEATHSIG = 1
_CHILD = "import sys; from silkgate.compute._isolation import child; child(sys.argv[1:])"


@dataclass(eq=False)
class ChildStep:
    """One step running in a child process; ``abort()`` ends it from another thread."""

    key: str
    op: str
    aborted: threading.Event = field(default_factory=threading.Event)
    process: subprocess.Popen[bytes] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def abort(self) -> None:
        self.aborted.set()
        self.kill()

    def kill(self) -> None:
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the child and spu's helpers (sort)
        except (ProcessLookupError, PermissionError):
            process.kill()


def run_in_child(ctx: StepContext, op: str, args: Json, step: ChildStep, *,
                 budgets_path: Path, default_epsilon: float) -> Json:  # fmt: skip
    """Run operation ``op`` for ``ctx`` in a child process; its result, metering folded in."""
    limit_s = STEP_SHARE * ctx.task.limits.time_s
    deadline = time.monotonic() + limit_s
    request = {
        "op": op,
        "party": ctx.party,
        "task": ctx.task.model_dump(mode="json"),
        "session": ctx.session,
        "args": args,
        "data_dir": str(ctx.source.directory),
        "budgets": str(budgets_path),
        "default_epsilon": default_epsilon,
        "workdir": str(ctx.workdir),
        "host": ctx.host,
        "limit_s": limit_s,
    }
    tmp = ctx.workdir / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    read_fd, write_fd = os.pipe()
    # spu's C++ logs and the step's own log lines go to the node's engine log, not the
    # terminal or the node's stdout (which may carry JSON for a caller).
    engine_log = (ctx.workdir.parent / "engine.log").open("ab")
    try:
        with step._lock:
            if step.aborted.is_set():
                raise TaskFailed(f"{op} at {ctx.party!r}: the attempt was aborted")
            step.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(os.getpid()), str(write_fd)],
                stdin=subprocess.PIPE, stdout=engine_log, stderr=subprocess.STDOUT,
                pass_fds=(write_fd,), env=env, start_new_session=True,
            )  # fmt: skip
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
        engine_log.close()
    process = step.process
    assert process.stdin is not None
    try:
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()  # stdin stays open: its EOF tells the child the node is gone
        except OSError:
            pass  # the child died at once; its exit status says so below
        reply = _collect(read_fd, process, step, deadline)
        if step.aborted.is_set() and not reply:
            raise TaskFailed(f"{op} at {ctx.party!r} was aborted by the scheduler")
        if reply is None:
            raise TaskFailed(f"{op} at {ctx.party!r} exceeded its time limit of {limit_s:g} s")
        try:
            process.wait(_EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            step.kill()
            process.wait()
    finally:
        step.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(_EXIT_WAIT_S)  # reap it: no zombie is left behind
        os.close(read_fd)
        with contextlib.suppress(OSError):
            process.stdin.close()
    return _decode(reply, op, ctx, process.returncode)


def _collect(fd: int, process: subprocess.Popen[bytes], step: ChildStep,
             deadline: float) -> bytes | None:  # fmt: skip
    """The child's reply; None when aborted or past the deadline, b"" if it died silently."""
    chunks: list[bytes] = []
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if step.aborted.is_set():
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if selector.select(min(remaining, 0.25)):
                data = os.read(fd, 1 << 20)
                if not data:
                    return b"".join(chunks)
                chunks.append(data)
            elif process.poll() is not None:
                # Exited, but a helper it started may still hold the pipe open: drain a moment.
                exited_at = exited_at or time.monotonic()
                if time.monotonic() - exited_at > 1.0:
                    return b"".join(chunks)


def _decode(reply: bytes | None, op: str, ctx: StepContext, status: int | None) -> Json:
    try:
        payload = json.loads(reply or b"null")
    except json.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        how = f"signal {-status}" if status is not None and status < 0 else f"status {status}"
        raise TaskFailed(
            f"{op} at {ctx.party!r} ended without a result ({how}); a peer may have left the"
            " protocol"
        )
    if "error" in payload:
        cls = _ERRORS.get(str(payload["error"]), TaskFailed)
        message = str(payload.get("message", ""))
        if cls is TaskFailed and payload["error"] != "TaskFailed":
            message = f"{payload['error']}: {message}"
        raise cls(message[:2000], field=payload.get("field"))
    metering = payload.get("metering") or {}
    ctx.meter.add_rows(int(metering.get("rows", 0)))
    ctx.meter.add_child(float(metering.get("cpu_s", 0.0)), int(metering.get("io_bytes", 0)))
    result: Json = payload["result"]
    return result


# -- the child ----------------------------------------------------------------------------


def child(argv: list[str]) -> NoReturn:
    """The child's main: run the one step read from stdin, reply on the pipe, exit."""
    from silkgate.compute._metering import Meter

    meter = Meter("child", whole_process=True)  # the step's CPU includes loading spu
    parent, result_fd = int(argv[0]), int(argv[1])
    os.set_inheritable(result_fd, False)  # spu's helper processes must not hold the pipe
    _die_with(parent)
    line = sys.stdin.buffer.readline()
    threading.Thread(target=_exit_on_eof, name="lifeline", daemon=True).start()
    try:
        request = json.loads(line)
        timer = threading.Timer(float(request["limit_s"]) + _GRACE_S, os._exit, (124,))
        timer.daemon = True
        timer.start()
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(name)s [step %(process)d] %(message)s"
        )
        result = _run(request, meter)
        reply: dict[str, Any] = {"result": result, "metering": meter.finish(0).model_dump()}
    except SilkgateError as exc:
        reply = {"error": type(exc).__name__, "message": exc.message, "field": exc.field}
    except BaseException as exc:  # the step's boundary: its failure is one line back
        logging.getLogger("silkgate.compute.node").exception("step failed")
        reply = {"error": "TaskFailed", "message": f"{type(exc).__name__}: {exc}"}
    data = json.dumps(reply).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(result_fd, view) :]
    os.close(result_fd)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip native destructors: a link that lost its peer may block or abort


def _run(request: dict[str, Any], meter: Meter) -> Json:
    from silkgate.compute._budget import PrivacyBudgets
    from silkgate.compute._engines import engines
    from silkgate.compute._engines._base import Isolated, StepContext
    from silkgate.compute._sources import DataSource
    from silkgate.compute._spec import TaskSpec

    op = str(request["op"])
    found = [e.operations().get(op) for e in engines().values()]
    operation = next((o for o in found if isinstance(o, Isolated)), None)
    if operation is None:
        raise AccessDenied(f"{op!r} is not an operation run in a step process", field="op")
    task = TaskSpec.model_validate(request["task"])
    meter.party = str(request["party"])
    ctx = StepContext(
        party=str(request["party"]),
        task=task,
        session=str(request["session"]),
        source=DataSource(Path(request["data_dir"])),
        budgets=PrivacyBudgets(
            Path(request["budgets"]), default_epsilon=float(request["default_epsilon"])
        ),
        workdir=Path(request["workdir"]),
        meter=meter,
        host=str(request["host"]),
        log=logging.getLogger("silkgate.compute.node"),
    )
    return operation.function(ctx, request["args"])


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the node died before the request came
        os._exit(125)


def _exit_on_eof() -> None:
    try:
        while sys.stdin.buffer.read(1 << 16):
            pass
    finally:
        os._exit(125)
