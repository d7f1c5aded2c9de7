"""The scheduler: validates tasks, allocates them to the parties' nodes, runs and meters them.

States: pending → running → succeeded | failed | cancelled. A task is validated before it
is accepted (its inputs exist with the named columns and within the row limit, every
receiver holds a grant on every input, a DP query fits the dataset's remaining budget);
a refusal raises and records nothing. An attempt that loses a node, or whose step fails,
is retried up to ``limits.retries`` times when the kind's steps are idempotent (all but
``dp_query`` and ``fl_train`` with DP, which spend budget); ``retry(id)`` starts a failed
task again.
An attempt that fails, is cancelled or runs out of time is aborted at every party's node
(``task.abort``) before the next attempt starts or the task ends: the surviving nodes
kill its running steps instead of letting them wait for a peer that is gone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from silkgate.compute._client import NodeClient
from silkgate.compute._engines import engine_for
from silkgate.compute._engines._base import Json
from silkgate.compute._errors import (
    BudgetExhausted,
    ComputeError,
    NodeUnavailable,
    TaskFailed,
    TaskRefused,
)
from silkgate.compute._grants import GrantChecker
from silkgate.compute._identity import Directory, Identity
from silkgate.compute._metering import Metering
from silkgate.compute._records import TaskRecord, TaskStore
from silkgate.compute._spec import FINAL_STATES, TaskSpec
from silkgate.domain import Conflict, InvalidInput, SilkgateError

log = logging.getLogger("silkgate.compute.scheduler")
NOT_IDEMPOTENT = frozenset({"dp_query"})
ABORT_TIMEOUT_S = 5.0
_ENDED_KEPT = 16


class _Cancelled(Exception):
    pass


class Scheduler:
    """Runs tasks on the nodes listed in a directory file, as ``identity`` (a scheduler).

    ``submit`` validates and returns at once, the task running in a background thread;
    ``run`` waits for the end. Records persist under ``store_dir``, so ``status``,
    ``result`` and ``cancel`` work from another process too.
    """

    def __init__(
        self,
        *,
        identity: Identity,
        directory_path: Path,
        grants: GrantChecker,
        store_dir: Path,
        retry_delay_s: float = 1.0,
    ) -> None:
        self.identity = identity
        self.directory_path = directory_path
        self.grants = grants
        self.store = TaskStore(store_dir)
        self.retry_delay_s = retry_delay_s
        self._threads: dict[str, threading.Thread] = {}
        self._cancel: dict[str, threading.Event] = {}
        # the last few records as their task thread ended, for a wait() on them: a result of
        # 10⁵ keys or more takes a noticeable while to read back from the store
        self._ended: dict[str, TaskRecord] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _client(self) -> NodeClient:
        return NodeClient(self.identity, Directory.load(self.directory_path))

    # -- public interface ---------------------------------------------------------------

    def submit(self, spec: TaskSpec) -> TaskRecord:
        """Validate ``spec`` (raising TaskRefused, BudgetExhausted, NotFound…) and start it."""
        if self._closed:
            raise ComputeError("scheduler is closed")
        if self.store.exists(spec.id):
            raise Conflict(f"task {spec.id!r} exists; give the new task another id", field="id")
        record = TaskRecord(spec=spec)
        self._validate(spec, record)
        self.store.save(record)
        self._start(record)
        return record

    def run(self, spec: TaskSpec, *, timeout_s: float | None = None) -> TaskRecord:
        """Submit and wait until the task ends."""
        record = self.submit(spec)
        return self.wait(record.id, timeout_s=timeout_s)

    def wait(self, task_id: str, *, timeout_s: float | None = None) -> TaskRecord:
        thread = self._threads.get(task_id)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        if thread is not None:
            thread.join(timeout_s)
            if not thread.is_alive():
                with self._lock:
                    ended = self._ended.pop(task_id, None)
                if ended is not None:
                    return ended
            return self.status(task_id)
        while True:
            record = self.status(task_id)
            if record.state in FINAL_STATES:
                return record
            if deadline is not None and time.monotonic() > deadline:
                return record
            time.sleep(0.2)

    def status(self, task_id: str) -> TaskRecord:
        return self.store.load(task_id)

    def tasks(self) -> list[TaskRecord]:
        return self.store.all()

    def result(self, task_id: str) -> dict[str, Any]:
        """The result of a succeeded task; raise if it failed, was cancelled or still runs."""
        record = self.status(task_id)
        if record.state == "succeeded" and record.result is not None:
            return record.result
        if record.state == "failed":
            raise TaskFailed(f"task {task_id!r} failed: {record.error}")
        raise InvalidInput(f"task {task_id!r} is {record.state}; it has no result", field="task")

    def cancel(self, task_id: str) -> TaskRecord:
        """Stop a pending or running task; its nodes' link steps end at their time limit."""
        record = self.status(task_id)
        if record.state in FINAL_STATES:
            return record
        self.store.request_cancel(task_id)
        event = self._cancel.get(task_id)
        if event is not None:
            event.set()
            return self.wait(task_id, timeout_s=10)
        return self.status(task_id)

    def retry(self, task_id: str) -> TaskRecord:
        """Start a failed task again (validated afresh); return its record."""
        record = self.status(task_id)
        if record.state != "failed":
            raise InvalidInput(f"task {task_id!r} is {record.state}; only failed tasks are retried")
        self._validate(record.spec, record)
        record.state, record.error, record.finished_at = "pending", None, None
        record.log.append("retry requested")
        self.store.save(record)
        self._start(record)
        return record

    def close(self) -> None:
        """Cancel what still runs and wait for the worker threads."""
        self._closed = True
        for event in self._cancel.values():
            event.set()
        for thread in list(self._threads.values()):
            thread.join(15)

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- validation ---------------------------------------------------------------------

    def _validate(self, spec: TaskSpec, record: TaskRecord) -> None:
        directory = Directory.load(self.directory_path)
        for party in spec.parties:
            directory.node_address(party)
        for item in spec.inputs:
            for receiver in spec.receivers:
                if receiver != item.party and not self.grants.allows(
                    grantee=receiver, dataset=item.dataset, kind=spec.kind
                ):
                    raise TaskRefused(
                        f"{receiver!r} holds no grant for {spec.kind} on {item.dataset!r}",
                        field="receivers",
                    )
        attempt = _Attempt(self, spec, record, f"{spec.id}-validate", threading.Event())
        owners = sorted({i.party for i in spec.inputs})
        described = attempt.call_all([(p, "node.describe", {}) for p in owners])
        for party, answer in zip(owners, described, strict=True):
            found = {d["dataset"]: d for d in answer["inputs"]}
            for item in spec.inputs_of(party):
                info = found[item.dataset]
                missing = [c for c in item.columns if c not in info["columns"]]
                if missing:
                    raise TaskRefused(
                        f"{item.dataset!r} at {party!r} has no columns {missing}",
                        field="inputs.columns",
                    )
                if info["rows"] > spec.limits.rows:
                    raise TaskRefused(
                        f"{item.dataset!r} holds {info['rows']} rows, over the task's limit of"
                        f" {spec.limits.rows}",
                        field="limits.rows",
                    )
        if spec.kind == "dp_query" and spec.privacy is not None:
            for party in owners:
                for budget in attempt.call(party, "node.budget", {})["budgets"]:
                    if budget["epsilon_left"] + 1e-12 < spec.privacy.epsilon:
                        raise BudgetExhausted(
                            f"dataset {budget['dataset']!r} has ε={budget['epsilon_left']:.4g}"
                            f" left; the query needs ε={spec.privacy.epsilon:.4g}",
                            field="privacy.epsilon",
                        )
        engine_for(spec.kind).check(spec)

    # -- running ------------------------------------------------------------------------

    def _start(self, record: TaskRecord) -> None:
        event = threading.Event()
        thread = threading.Thread(
            target=self._execute, args=(record, event), name=f"task-{record.id}", daemon=True
        )
        with self._lock:
            self._cancel[record.id] = event
            self._threads[record.id] = thread
        thread.start()

    def _execute(self, record: TaskRecord, cancelled: threading.Event) -> None:
        spec = record.spec
        engine = engine_for(spec.kind)
        spends_budget = spec.kind in NOT_IDEMPOTENT or (
            spec.kind == "fl_train" and spec.privacy is not None
        )
        retries = 0 if spends_budget else spec.limits.retries
        record.state, record.started_at = "running", dt.datetime.now(dt.UTC)
        self.store.save(record)
        for attempt_no in range(retries + 1):
            record.attempts += 1
            session = f"{spec.id}-{record.attempts}-{os.urandom(3).hex()}"
            attempt = _Attempt(self, spec, record, session, cancelled)
            outcome: dict[str, Any] = {}
            worker = threading.Thread(
                target=_capture, args=(engine.run, spec, attempt, outcome), daemon=True
            )
            worker.start()
            deadline = time.monotonic() + spec.limits.time_s
            while worker.is_alive():
                worker.join(0.2)
                if self.store.cancel_requested(spec.id):
                    cancelled.set()
                if cancelled.is_set():
                    self._abort(record, session)
                    self._finish(record, "cancelled", "cancelled on request")
                    return
                if time.monotonic() > deadline:
                    cancelled.set()
                    self._abort(record, session)
                    self._finish(record, "failed", f"exceeded limits.time_s={spec.limits.time_s}")
                    return
            error = outcome.get("error")
            if error is None:
                record.result = outcome["result"]
                self._finish(record, "succeeded", None)
                return
            self._abort(record, session)
            if isinstance(error, _Cancelled):
                self._finish(record, "cancelled", "cancelled on request")
                return
            message = f"{type(error).__name__}: {error}"
            record.log.append(f"attempt {record.attempts} failed: {message}")
            log.warning("task %s attempt %d failed: %s", spec.id, record.attempts, message)
            retryable = isinstance(error, NodeUnavailable | TaskFailed)
            if not retryable or attempt_no == retries:
                self._finish(record, "failed", message)
                return
            self.store.save(record)
            if cancelled.wait(self.retry_delay_s):
                self._finish(record, "cancelled", "cancelled on request")
                return

    def _abort(self, record: TaskRecord, session: str) -> None:
        """Have every party's node end the attempt's steps; bounded, errors only logged."""
        client = self._client()

        def abort_at(party: str) -> None:
            try:
                _result, metering = client.call(party, "task.abort", task=record.spec,
                                                session=session, args={},
                                                timeout_s=ABORT_TIMEOUT_S)  # fmt: skip
                self._add_metering(record, metering)
            except Exception as exc:  # a node that is down has nothing left to abort
                log.info("task %s: abort at %s: %s", record.id, party, exc)

        threads = [
            threading.Thread(target=abort_at, args=(p,), name=f"abort-{p}", daemon=True)
            for p in record.spec.parties
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + ABORT_TIMEOUT_S + 1
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def _finish(self, record: TaskRecord, state: Any, error: str | None) -> None:
        record.state, record.error = state, error
        record.finished_at = dt.datetime.now(dt.UTC)
        record.log.append(f"{state}" + (f": {error}" if error else ""))
        self.store.save(record)
        with self._lock:
            self._ended[record.id] = record
            while len(self._ended) > _ENDED_KEPT:
                del self._ended[next(iter(self._ended))]
        log.info("task %s %s", record.id, state)

    def _add_metering(self, record: TaskRecord, metering: Metering) -> None:
        with self._lock:
            previous = record.metering.get(metering.party)
            record.metering[metering.party] = (
                metering if previous is None else previous.plus(metering)
            )


def _capture(function: Any, spec: TaskSpec, attempt: _Attempt, outcome: dict[str, Any]) -> None:
    try:
        outcome["result"] = function(spec, attempt)
    except (SilkgateError, _Cancelled) as exc:
        outcome["error"] = exc
    except Exception as exc:  # an engine bug fails the task, with its name, not the thread
        log.exception("engine %s failed", spec.kind)
        outcome["error"] = TaskFailed(f"{type(exc).__name__}: {exc}")


class _Attempt:
    """One attempt's ``Cluster``: signed calls, metering, cancellation."""

    def __init__(
        self,
        scheduler: Scheduler,
        spec: TaskSpec,
        record: TaskRecord,
        session: str,
        cancelled: threading.Event,
    ) -> None:
        self._scheduler = scheduler
        self._spec = spec
        self._record = record
        self.session = session
        self._cancelled = cancelled
        self._client = scheduler._client()

    def call(self, party: str, op: str, args: Json) -> Json:
        if self._cancelled.is_set():
            raise _Cancelled()
        result, metering = self._client.call(
            party,
            op,
            task=self._spec,
            session=self.session,
            args=args,
            timeout_s=self._spec.limits.time_s,
        )
        self._scheduler._add_metering(self._record, metering)
        return result

    def call_all(self, calls: Sequence[tuple[str, str, Json]]) -> list[Json]:
        """Run the calls at once; the first failure ends the wait (the rest time out)."""
        pool = ThreadPoolExecutor(max_workers=max(len(calls), 1), thread_name_prefix="call")
        try:
            futures: list[Future[Json]] = [pool.submit(self.call, *c) for c in calls]
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                for future in done:
                    error = future.exception()
                    if error is not None:
                        raise error
                if self._cancelled.is_set():
                    raise _Cancelled()
            return [f.result() for f in futures]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def result_of(self, task_id: str) -> Json:
        return self._scheduler.result(task_id)
