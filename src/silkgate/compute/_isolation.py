"""Engine steps that run spu's native code (PSI, SPU MPC) run in a child process of the node.

Why: spu 0.9.5's link (yacl over brpc) ends the *whole process* with ``exit(-1)`` when an
asynchronous send to a peer fails, e.g. when the peer's node died mid-protocol, and a step
whose peer vanished can stay blocked in native code, out of reach of any Python timeout.
In a child process such a failure ends only the child. The node waits for the child up to
the step's time limit (0.9 × ``limits.time_s``, when the scheduler stops waiting for the
reply), kills it then or when the scheduler aborts the attempt (``task.abort``), and
answers the request with ``TaskFailed``; the node itself, and its other steps, carry on.

Protocol, parent → child: ``python -c … PARENT_PID RESULT_FD READY_FD`` (running `child`)
in a new session (so a kill reaches spu's helper processes too). The child first loads
what steps need (spu, pandas, the engines: 1–3 s of CPU) and writes one byte on the ready
pipe; then it reads the step as one JSON line on stdin: operation, party, task, session,
args, data directory, budgets file, workdir, its ``tmp`` directory, host and time limit.
The child sets ``TMPDIR`` to that ``tmp`` directory, so the files spu stages there
(sorted keys) go when the node removes the workdir, even after a kill. Child → parent:
one JSON document on the result pipe, ``{"result", "metering"}`` or ``{"error",
"message", "field"}``; then the child leaves with ``os._exit`` (no native destructors
run). Nothing is pickled in either direction, and peers never talk to this channel.

A node keeps one such process started ahead (`SpareStepProcess`): it loads while no step
needs it and waits for one request, so a step does not wait for spu to load. The node's
next isolated step takes it, and a new spare starts when that step ends; a step process
runs exactly one step, spare or not, and is never reused.

The child dies with the node: it asks Linux for SIGKILL when its parent thread ends
(``PR_SET_PDEATHSIG``; a spare is started by a thread that lives as long as the node
serves), ends itself when its stdin reaches EOF (the node closed it or died), whether
waiting for its step or running it, and ends itself a little after its own time limit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import selectors
import signal
import subprocess
import sys
import tempfile
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
# A step's result is still on its way to the scheduler when the step ends; the next spare
# starts a little later, so that its loading (1-3 s of CPU) does not slow that down.
_RESPAWN_AFTER_S = 2.0
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
        if process is not None:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the child and spu's helpers (sort)
    except (ProcessLookupError, PermissionError):
        process.kill()


@dataclass(eq=False)
class _Started:
    """A step process and the read ends of its pipes."""

    process: subprocess.Popen[bytes]
    result_fd: int
    ready_fd: int

    def is_ready(self) -> bool:
        """True once it has loaded what steps need (it wrote on the ready pipe, or died)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.ready_fd, selectors.EVENT_READ)
            return bool(selector.select(0))

    def discard(self) -> None:
        _kill(self.process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(_EXIT_WAIT_S)
        self.close_pipes()

    def close_pipes(self) -> None:
        for fd in (self.result_fd, self.ready_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()


def _spawn(engine_log_path: Path) -> _Started:
    """Start a step process; it loads spu and the engines, then waits for its request."""
    result_r, result_w = os.pipe()
    ready_r, ready_w = os.pipe()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # spu's C++ logs and the step's own log lines go to the node's engine log, not the
    # terminal or the node's stdout (which may carry JSON for a caller).
    try:
        with engine_log_path.open("ab") as engine_log:
            process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(os.getpid()), str(result_w), str(ready_w)],
                stdin=subprocess.PIPE, stdout=engine_log, stderr=subprocess.STDOUT,
                pass_fds=(result_w, ready_w), env=env, start_new_session=True,
            )  # fmt: skip
    except BaseException:
        os.close(result_r)
        os.close(ready_r)
        raise
    finally:
        os.close(result_w)
        os.close(ready_w)
    return _Started(process, result_r, ready_r)


class SpareStepProcess:
    """One step process a node starts ahead, so that its next isolated step finds spu loaded.

    ``take()`` hands it to one step (or None when there is none); ``replenish()``, called
    when a step ends, starts the next. Spares are started by a thread of their own that
    lives until ``close()``, since a child's ``PR_SET_PDEATHSIG`` fires when the thread
    that started it ends (a request thread ends with its request).
    """

    def __init__(self, engine_log_path: Path) -> None:
        self._engine_log_path = engine_log_path
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._closing = threading.Event()
        self._spare: _Started | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._keep, name="spare-step", daemon=True)
        self._thread.start()
        self._wanted.set()

    def take(self) -> _Started | None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.process.poll() is not None:
            spare.discard()  # it died waiting (killed from outside): start the step afresh
            return None
        return spare

    def replenish(self) -> None:
        self._wanted.set()

    def is_ready(self) -> bool:
        """True when a spare has loaded spu and the engines and waits for a step."""
        with self._lock:  # a step that takes the spare closes its pipes
            spare = self._spare
            return spare is not None and spare.process.poll() is None and spare.is_ready()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        self._closing.set()
        self._wanted.set()
        if spare is not None:
            spare.discard()
        if self._thread is not None:
            self._thread.join(_EXIT_WAIT_S)

    def _keep(self) -> None:
        delay_s = 0.0  # the first spare starts with the node
        while self._wanted.wait():
            if self._closing.wait(delay_s):
                return
            delay_s = _RESPAWN_AFTER_S
            self._wanted.clear()
            with self._lock:
                if self._closed:
                    return
                if self._spare is not None:
                    continue
            try:
                started = _spawn(self._engine_log_path)
            except OSError:
                log.exception("could not start a spare step process")
                continue
            if not self._keep_spare(started):
                started.discard()
                return

    def _keep_spare(self, started: _Started) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._spare = started
            return True


def run_in_child(ctx: StepContext, op: str, args: Json, step: ChildStep, *,
                 budgets_path: Path, default_epsilon: float,
                 spare: SpareStepProcess | None = None) -> Json:  # fmt: skip
    """Run operation ``op`` for ``ctx`` in a child process; its result, metering folded in.

    The child is ``spare``'s waiting process when it has one, else a new one.
    """
    limit_s = STEP_SHARE * ctx.task.limits.time_s
    deadline = time.monotonic() + limit_s
    tmp = ctx.workdir / "tmp"
    tmp.mkdir()
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
        "tmpdir": str(tmp),
        "host": ctx.host,
        "limit_s": limit_s,
    }
    try:
        started = spare.take() if spare is not None else None
        with step._lock:
            if step.aborted.is_set():
                if started is not None:
                    started.discard()
                raise TaskFailed(f"{op} at {ctx.party!r}: the attempt was aborted")
            if started is None:
                started = _spawn(ctx.workdir.parent / "engine.log")
            step.process = started.process
        ctx.log.info("%s %s: step process %d", op, ctx.task.id, started.process.pid)
        reply = _converse(started, request, step, deadline)
    finally:
        if spare is not None:
            spare.replenish()
    if step.aborted.is_set() and not reply:
        raise TaskFailed(f"{op} at {ctx.party!r} was aborted by the scheduler")
    if reply is None:
        raise TaskFailed(f"{op} at {ctx.party!r} exceeded its time limit of {limit_s:g} s")
    return _decode(reply, op, ctx, started.process.returncode)


def _converse(started: _Started, request: dict[str, Any], step: ChildStep,
              deadline: float) -> bytes | None:  # fmt: skip
    """Send the request, collect the reply (see `_collect`), and leave no process behind."""
    process = started.process
    assert process.stdin is not None
    try:
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()  # stdin stays open: its EOF tells the child the node is gone
        except OSError:
            pass  # the child died at once; its exit status says so below
        reply = _collect(started.result_fd, process, step, deadline)
        if reply is not None:
            try:
                process.wait(_EXIT_WAIT_S)
            except subprocess.TimeoutExpired:
                step.kill()
                process.wait()
        return reply
    finally:
        step.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(_EXIT_WAIT_S)  # reap it: no zombie is left behind
        started.close_pipes()


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
    parent, result_fd, ready_fd = (int(arg) for arg in argv[:3])
    os.set_inheritable(result_fd, False)  # spu's helper processes must not hold the pipe
    _die_with(parent)
    begun = time.monotonic()
    try:
        _preload()
        not_loaded: BaseException | None = None
    except BaseException as exc:  # reported as the step's failure once its request comes
        not_loaded = exc
    loaded_s = time.monotonic() - begun
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    line = sys.stdin.buffer.readline()
    waited_s = time.monotonic() - begun - loaded_s
    if not line:
        os._exit(125)  # the node closed our stdin or died before it had a step for us
    threading.Thread(target=_exit_on_eof, name="lifeline", daemon=True).start()
    try:
        request = json.loads(line)
        if not_loaded is not None:
            raise not_loaded
        os.environ["TMPDIR"] = str(request["tmpdir"])  # for spu's native code too
        tempfile.tempdir = None
        timer = threading.Timer(float(request["limit_s"]) + _GRACE_S, os._exit, (124,))
        timer.daemon = True
        timer.start()
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(name)s [step %(process)d] %(message)s"
        )
        logging.getLogger("silkgate.compute.node").info(
            "%s %s: step process loaded in %.2f s, then waited %.2f s for its step",
            request["op"], request["task"]["id"], loaded_s, waited_s,
        )  # fmt: skip
        result = _run(request, meter)
        reply: dict[str, Any] = {"result": result, "metering": meter.finish(0).model_dump()}
    except SilkgateError as exc:
        reply = {"error": type(exc).__name__, "message": exc.message, "field": exc.field}
    except BaseException as exc:  # the step's boundary: its failure is one line back
        logging.getLogger("silkgate.compute.node").exception("step failed")
        reply = {"error": "TaskFailed", "message": f"{type(exc).__name__}: {exc}"}
    data = _dumps(reply)
    view = memoryview(data)
    while view:
        view = view[os.write(result_fd, view) :]
    os.close(result_fd)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip native destructors: a link that lost its peer may block or abort


def _dumps(reply: dict[str, Any]) -> bytes:
    """The reply as JSON: by orjson (several times faster on a long intersection) when it
    writes what ``json.dumps`` would (it refuses non-string keys and writes NaN as null)."""
    import orjson

    try:
        if _finite(reply):
            return orjson.dumps(reply)
    except TypeError:
        pass
    return json.dumps(reply).encode()


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(type(v) is str for v in value) or all(_finite(v) for v in value)
    return True


def _preload() -> None:
    """Load what steps need, before the request comes (a spare loads while it waits)."""
    import spu.libspu
    import spu.psi  # noqa: F401

    from silkgate.compute._engines import engines

    engines()


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
