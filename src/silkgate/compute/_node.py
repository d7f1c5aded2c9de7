"""A party node: serves the party's datasets to engines only; raw rows never leave it.

Guarantee: every operation runs only for a request signed by a scheduler the directory
lists (see `_identity`), for a task whose receivers hold a grant on each of this party's
datasets it reads, and answers with an engine's output (an intersection, shares of an
aggregate, ciphertexts, a DP release, model weights), never with rows: there is no
operation that returns rows, and any other request is refused. Assumes semi-honest
peers for the MPC protocols the engines run, and that this process and its data directory
are under the party's control. Every step is logged, and appended to ``steps.jsonl``.

A node survives its peers dying: steps in spu's native code (PSI, SPU MPC) run in a child
process (`_isolation`), which the node kills at the step's time limit or when the
scheduler aborts the attempt (``task.abort``); a failed or abandoned step ends as a
``TaskFailed`` answer, never by taking the node down or by leaving a thread behind.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import ssl
import tempfile
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from silkgate.compute._budget import PrivacyBudgets
from silkgate.compute._engines import engines
from silkgate.compute._engines._base import Isolated, Json, Operation, StepContext
from silkgate.compute._engines._link import (
    forget_link_keys,
    issue_link_certificate,
    reserve_port,
)
from silkgate.compute._errors import TaskFailed, TaskRefused
from silkgate.compute._grants import GrantChecker
from silkgate.compute._identity import Identity, Verifier
from silkgate.compute._isolation import ChildStep, SpareStepProcess, run_in_child
from silkgate.compute._metering import Meter
from silkgate.compute._sources import DataSource
from silkgate.compute._spec import TaskSpec
from silkgate.compute._tls import server_context
from silkgate.domain import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    SilkgateError,
    Unauthenticated,
)

log = logging.getLogger("silkgate.compute.node")
OPS_PREFIX = "/v1/ops/"
MAX_BODY = 1 << 30
_WORKDIR = re.compile(r"^[a-z]+\.[a-z_]+-[a-z0-9_]+$")  # tempfile.mkdtemp(prefix=f"{op}-")
_ABORTED_KEPT_S = 3600.0  # how long a node refuses new steps of an aborted attempt


class Node:
    """One party's node runtime; ``start()`` serves on ``host:port``, ``close()`` stops it."""

    def __init__(
        self,
        *,
        party: str,
        data_dir: Path,
        state_dir: Path,
        directory_path: Path,
        grants: GrantChecker,
        host: str = "127.0.0.1",
        port: int = 0,
        default_epsilon: float = 10.0,
        identity: Identity | None = None,
    ) -> None:
        if not data_dir.is_dir():
            raise InvalidInput(f"{data_dir} is not a directory", field="--data")
        self.party = party
        self.source = DataSource(data_dir)
        self.state_dir = state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self.budgets = PrivacyBudgets(state_dir / "budgets.db", default_epsilon=default_epsilon)
        budgets_file = data_dir / "budgets.json"
        if budgets_file.is_file():
            for dataset, epsilon in json.loads(budgets_file.read_text(encoding="utf-8")).items():
                self.budgets.set_total(dataset, float(epsilon))
        self.grants = grants
        self.verifier = Verifier(directory_path, accept="scheduler")
        self.host = host
        self.identity = identity
        self.tls_cert: str | None = None
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._memory: dict[str, dict[str, Any]] = {}
        self._audit_lock = threading.Lock()
        self._steps_lock = threading.Lock()
        self._steps: dict[str, set[ChildStep]] = {}
        self._aborted: dict[str, float] = {}
        self._spare = SpareStepProcess(state_dir / "engine.log")
        self._ops: dict[str, Operation] = {
            "node.describe": _describe,
            "node.budget": _budget,
            "link.prepare": _prepare_link,
            "task.abort": self._abort,
        }
        for engine in engines().values():
            self._ops.update(engine.operations())

    @property
    def address(self) -> str:
        if self._server is None:
            raise RuntimeError("node is not started")
        scheme = "http" if self.tls_cert is None else "https"
        return f"{scheme}://{self.host}:{self._server.server_address[1]}"

    def start(self) -> Node:
        for stale in self.state_dir.glob("*.*-*"):  # workdirs of a node killed mid-step
            if stale.is_dir() and _WORKDIR.match(stale.name):
                shutil.rmtree(stale, ignore_errors=True)
        forget_link_keys(self.state_dir)
        node = self

        class Handler(_Handler):
            owner = node

        self._server = _Server((self.host, self._requested_port), Handler)
        self._server.daemon_threads = True
        if self.identity is not None:
            cert_pem, key_pem = self.identity.tls_material()
            context = server_context(cert_pem, key_pem)
            # The handshake happens in the request's thread (``_Handler.setup``), so a
            # client that stalls it cannot hold up accepting the next connection.
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.tls_cert = cert_pem
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"node-{self.party}", daemon=True
        )
        self._thread.start()
        self._spare.start()
        log.info("node %s serving on %s", self.party, self.address)
        return self

    @property
    def spare_ready(self) -> bool:
        """Whether a step process with spu loaded waits for this node's next PSI/SPU step."""
        return self._spare.is_ready()

    def serve_forever(self) -> None:
        if self._thread is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.close()

    def close(self) -> None:
        """Stop serving and kill the step processes still running."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._steps_lock:
            running = [step for steps in self._steps.values() for step in steps]
        for step in running:
            step.abort()
        self._spare.close()

    def __enter__(self) -> Node:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- one operation ------------------------------------------------------------------

    def handle(self, principal: str, op: str, body: Json, body_bytes: int) -> Json:
        operation = self._ops.get(op)
        if operation is None:
            raise AccessDenied(
                f"{op!r} is not an operation this node serves; it runs engines only and raw"
                " rows never leave it",
                field="op",
            )
        try:
            task = TaskSpec.model_validate(body.get("task"))
        except ValidationError as exc:
            raise InvalidInput(f"bad task in request: {exc.errors()[0]['msg']}") from None
        if self.party not in task.parties:
            raise TaskRefused(f"party {self.party!r} takes no part in task {task.id!r}")
        self._check_grants(task)
        args = body.get("args") or {}
        session = str(body.get("session", ""))
        memory = self._memory.setdefault(f"{task.id}/{session}", {})
        workdir = Path(tempfile.mkdtemp(prefix=f"{op}-", dir=self.state_dir))
        meter = Meter(self.party)
        ctx = StepContext(
            party=self.party,
            task=task,
            session=session,
            source=self.source,
            budgets=self.budgets,
            workdir=workdir,
            meter=meter,
            host=self.host,
            log=log,
            memory=memory,
        )
        started = time.time()
        outcome = "ok"
        try:
            if isinstance(operation, Isolated):
                result = self._run_isolated(ctx, op, args)
            else:
                result = operation(ctx, args)
            if memory.get("done"):
                self._memory.pop(f"{task.id}/{session}", None)
            return {"result": result, "metering": meter.finish(body_bytes).model_dump()}
        except BaseException as exc:
            outcome = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            self._audit(
                {
                    "at": started,
                    "principal": principal,
                    "task": task.id,
                    "kind": task.kind,
                    "op": op,
                    "seconds": round(time.time() - started, 4),
                    "outcome": outcome,
                }
            )

    def _run_isolated(self, ctx: StepContext, op: str, args: Json) -> Json:
        key = f"{ctx.task.id}/{ctx.session}"
        step = ChildStep(key, op)
        with self._steps_lock:
            if key in self._aborted:
                raise TaskFailed(f"attempt {ctx.session!r} of {ctx.task.id!r} was aborted")
            self._steps.setdefault(key, set()).add(step)
        try:
            return run_in_child(ctx, op, args, step, budgets_path=self.budgets.path,
                                default_epsilon=self.budgets.default_epsilon,
                                spare=self._spare)  # fmt: skip
        finally:
            with self._steps_lock:
                steps = self._steps.get(key, set())
                steps.discard(step)
                if not steps:
                    self._steps.pop(key, None)

    def _abort(self, ctx: StepContext, args: Json) -> Json:
        """``task.abort``: end this attempt's running steps here and refuse its further ones."""
        key = f"{ctx.task.id}/{ctx.session}"
        now = time.monotonic()
        with self._steps_lock:
            self._aborted = {k: t for k, t in self._aborted.items() if now - t < _ABORTED_KEPT_S}
            self._aborted[key] = now
            running = list(self._steps.get(key, ()))
        for step in running:
            step.abort()
        ctx.memory.clear()
        ctx.memory["done"] = True  # forget the attempt's state (e.g. a CKKS secret key)
        return {"aborted": len(running)}

    def _check_grants(self, task: TaskSpec) -> None:
        for item in task.inputs_of(self.party):
            for receiver in task.receivers:
                if receiver == self.party:
                    continue
                if not self.grants.allows(grantee=receiver, dataset=item.dataset, kind=task.kind):
                    raise TaskRefused(
                        f"{receiver!r} holds no grant for {task.kind} on {item.dataset!r};"
                        f" node {self.party!r} refuses the task",
                        field="receivers",
                    )

    def _audit(self, entry: Mapping[str, Any]) -> None:
        log.info("step %s", json.dumps(entry, sort_keys=True))
        with self._audit_lock, (self.state_dir / "steps.jsonl").open("a") as out:
            out.write(json.dumps(entry, sort_keys=True) + "\n")

    def refuse(self, principal: str | None, op: str, reason: str) -> None:
        self._audit({"at": time.time(), "principal": principal, "op": op, "outcome": reason})


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that fails the TLS handshake or drops the connection: one debug line."""
        log.debug("connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    owner: Node
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10.0)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.request.close()
                raise
            self.request.settimeout(None)  # as over plain HTTP: a step may take long
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        if self.path == "/v1/health":
            self._send(HTTPStatus.OK, {"party": self.owner.party, "status": "ok",
                                       "spare_ready": self.owner.spare_ready})  # fmt: skip
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "NotFound", "message": "no such path"})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "InvalidInput"})
            return
        raw = self.rfile.read(length)
        op = self.path.removeprefix(OPS_PREFIX) if self.path.startswith(OPS_PREFIX) else ""
        principal: str | None = None
        try:
            principal = self.owner.verifier.verify("POST", self.path, dict(self.headers), raw)
            if not op:
                raise AccessDenied(f"{self.path} is not served", field="path")
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise InvalidInput("request body must be a JSON object")
            reply = self.owner.handle(principal, op, body, len(raw))
            result = json.dumps(reply["result"])  # once: it may be long (an intersection)
            reply["metering"]["bytes_exchanged"] += len(_reply_body(result, reply["metering"]))
            self._send_body(HTTPStatus.OK, _reply_body(result, reply["metering"]))
        except SilkgateError as exc:
            if isinstance(exc, AccessDenied):
                self.owner.refuse(principal, op, f"{type(exc).__name__}: {exc}")
            self._send(_status(exc), _error(exc))
        except json.JSONDecodeError:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "InvalidInput", "message": "not JSON"})
        except Exception as exc:  # the node's boundary: a failed step is one line back
            log.exception("step %s failed", op)
            self._send(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {"error": "TaskFailed", "message": f"{type(exc).__name__}: {exc}"[:2000]},
            )

    def _send(self, status: HTTPStatus, payload: Json) -> None:
        self._send_body(status, json.dumps(payload).encode())

    def _send_body(self, status: HTTPStatus, data: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _reply_body(result: str, metering: Json) -> bytes:
    """``json.dumps({"result": …, "metering": …})`` with the result already dumped."""
    return f'{{"result": {result}, "metering": {json.dumps(metering)}}}'.encode()


def _status(exc: SilkgateError) -> HTTPStatus:
    for cls, status in (
        (NotFound, HTTPStatus.NOT_FOUND),
        (Conflict, HTTPStatus.CONFLICT),
        (InvalidInput, HTTPStatus.BAD_REQUEST),
        (Unauthenticated, HTTPStatus.UNAUTHORIZED),
        (AccessDenied, HTTPStatus.FORBIDDEN),
    ):
        if isinstance(exc, cls):
            return status
    return HTTPStatus.INTERNAL_SERVER_ERROR


def _error(exc: SilkgateError) -> Json:
    return {"error": type(exc).__name__, "message": exc.message, "field": exc.field}


# -- operations every node serves, whatever the engine -----------------------------------


def _describe(ctx: StepContext, args: Json) -> Json:
    """Columns and row count of this party's inputs: what validation needs, no values."""
    described = []
    for item in ctx.task.inputs_of(ctx.party):
        info = ctx.source.describe(item.dataset)
        described.append(
            {"dataset": item.dataset, "columns": list(info.columns), "rows": info.rows}
        )
    return {"inputs": described}


def _budget(ctx: StepContext, args: Json) -> Json:
    budgets = []
    for item in ctx.task.inputs_of(ctx.party):
        budget = ctx.budgets.get(item.dataset)
        budgets.append(
            {"dataset": item.dataset, "epsilon_total": budget.epsilon_total,
             "epsilon_left": budget.epsilon_left}
        )  # fmt: skip
    return {"budgets": budgets}


def _prepare_link(ctx: StepContext, args: Json) -> Json:
    """An address for this node's end of the session's link; with ``tls``, a certificate."""
    answer: Json = {"address": f"{ctx.host}:{reserve_port(ctx.host)}"}
    if args.get("tls"):
        answer["certificate"] = issue_link_certificate(
            ctx.workdir.parent, ctx.session, ctx.party, int(args.get("rank", 0))
        )
    return answer
