"""A peer process: one organisation's peer following the JetStream ordering stream.

``PeerNode`` owns a ``Peer`` (its own SQLite store), reads the stream from its last block on
(a new peer from genesis, a restarted one from where it stopped), cuts and commits blocks,
publishes a time-to-cut marker when transactions have waited ``batch_timeout_s``, and
serves endorsement and queries to members over mutual TLS (``_endpoint``). It reaches the
NATS servers over mutual TLS too, with its own peer certificate (``nats_tls_context``).

Threads: the network (NATS and TLS) runs on a ``LoopThread``; one worker thread owns the
store and does all CPU work (cutting, validation, commit, endorsement, queries) from a
priority queue, requests first. Reading the stream pauses while the worker is behind, so
the server never sees a slow consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkgate.ledger._blocks import Block
from silkgate.ledger._endpoint import (
    FrameWriter,
    error_frame,
    peer_certificate,
    read_frame,
    tls_context,
)
from silkgate.ledger._errors import LedgerError, UnknownIdentity
from silkgate.ledger._identity import Identity
from silkgate.ledger._loop import LoopThread
from silkgate.ledger._nats import nats_tls_context
from silkgate.ledger._ordering import (
    BlockCutter,
    CutPoint,
    JetStreamOrderer,
    StreamMessage,
    StreamNames,
)
from silkgate.ledger._peer import Peer
from silkgate.ledger._store import TxRecord

_BUSY_AT = 4096
"""Queued stream messages at which reading the stream pauses."""

_SETTLE_BATCH = 64
"""Answers handed to the loop thread at once, at most (one wake-up per batch)."""


def peer_store_path(home: Path, org: str, name: str = "peer0") -> Path:
    """Where a peer's ledger lives under a consortium home."""
    return home / "peers" / (f"{org}.db" if name == "peer0" else f"{org}-{name}.db")


def ready_path(home: Path, org: str, name: str = "peer0") -> Path:
    return home / "run" / f"{org}-{name}.json"


_MAX_WAIT_IDS = 4096
"""Transaction ids one ``wait`` request may name."""


@dataclass(slots=True)
class _Request:
    op: str
    args: dict[str, Any]
    future: asyncio.Future[Any]


@dataclass(slots=True)
class _Wait:
    """A ``wait`` request: answered once every transaction it names is committed.

    ``tx_id`` asks for one (the answer is its record); ``tx_ids`` for several (the answer
    is ``{"txs": [records]}``), as a client submitting a batch does.
    """

    future: asyncio.Future[Any]
    remaining: set[str]
    found: list[dict[str, Any]]
    single: bool

    def answer(self) -> Any:
        return self.found[0] if self.single else {"txs": self.found}


class PeerNode:
    """Runtime object: ``start()`` catches up and serves; ``close()`` stops everything."""

    def __init__(
        self,
        home: Path,
        org: str,
        servers: Sequence[str],
        *,
        name: str = "peer0",
        host: str = "127.0.0.1",
        port: int = 0,
        batch_timeout_s: float = 0.1,
    ) -> None:
        self.home = home
        self.org = org
        self.name = name
        self.host = host
        self.port = port
        self.batch_timeout_s = batch_timeout_s
        manifest = json.loads((home / "consortium.json").read_text())
        self.genesis_hash = str(manifest["genesis_hash"])
        self.names = StreamNames.for_genesis(self.genesis_hash)
        self.identity = Identity.load(home / "orgs" / org / "members", name)
        self.peer = Peer(self.identity, peer_store_path(home, org, name))
        self._io = LoopThread(f"peer-{org}-io")
        ca_pems = [
            (home / "orgs" / str(o["id"]) / "ca" / "ca.pem").read_text() for o in manifest["orgs"]
        ]
        self._orderer = JetStreamOrderer(
            servers, self.names, loop=self._io, tls=nats_tls_context(self.identity, ca_pems)
        )
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._counter = itertools.count()
        self._stream_queued = 0
        self._worker: threading.Thread | None = None
        self._cutter: BlockCutter | None = None
        self._waiters: dict[str, list[_Wait]] = {}
        self._settled: list[tuple[asyncio.Future[Any], Any, Exception | None]] = []
        self._caught_up = False
        self._pending_since: float | None = None
        self._marked: tuple[int, float] | None = None
        self._server: asyncio.base_events.Server | None = None
        self.stopped = threading.Event()
        self.failure: BaseException | None = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> PeerNode:
        self.peer.start()
        store = self.peer.store
        last = None if store.height == 0 else store.block(store.height - 1)
        self._cutter = BlockCutter(
            self.names.stream, CutPoint.after(None if last is None else last[0])
        )
        self._io.start()
        self._orderer.start()
        self._worker = threading.Thread(target=self._work, name=f"peer-{self.org}", daemon=True)
        self._worker.start()
        if self.peer.height > 0:
            self._io.run(self._serve())
        self._orderer.follow(self._cutter.position + 1, self._on_stream, self._is_busy)
        return self

    def close(self) -> None:
        self.stopped.set()
        self._queue.put((-1, -1, None))
        if self._worker is not None:
            self._worker.join(timeout=30)
            self._worker = None
        if self._server is not None:
            server = self._server
            self._server = None

            async def stop() -> None:
                server.close()

            with contextlib.suppress(Exception):  # closing anyway
                self._io.run(stop(), timeout_s=5)
        self._orderer.close()
        self._io.close()
        self.peer.close()
        ready_path(self.home, self.org, self.name).unlink(missing_ok=True)

    def __enter__(self) -> PeerNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # the network side (loop thread) ------------------------------------------------------------
    def _is_busy(self) -> bool:
        return self._stream_queued > _BUSY_AT

    def _on_stream(self, messages: list[StreamMessage]) -> None:
        """One queue item per pulled batch: the worker wakes once for all of them."""
        self._stream_queued += len(messages)
        self._queue.put((1, next(self._counter), messages))

    async def _serve(self) -> None:
        view = self.peer.view
        context = tls_context(self.identity, [o.ca_pem for o in view.config.orgs], server=True)
        self._server = await asyncio.start_server(self._handle, self.host, self.port, ssl=context)
        self.port = int(self._server.sockets[0].getsockname()[1])
        path = ready_path(self.home, self.org, self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"host": self.host, "port": self.port, "pid": os.getpid()}))
        tmp.replace(path)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            pem = peer_certificate(writer)
            member = self.peer.view.msp.identify(pem, dt.datetime.now(dt.UTC))
            if isinstance(member, str):
                raise UnknownIdentity(f"client certificate refused: {member}", field="tls")
            frames = FrameWriter(writer)
            loop = asyncio.get_running_loop()
            while (frame := await read_frame(reader)) is not None:
                self._accept(frame, frames, loop)
        except (LedgerError, UnknownIdentity, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def _accept(
        self, frame: dict[str, Any], frames: FrameWriter, loop: asyncio.AbstractEventLoop
    ) -> None:
        """Queue a request for the worker; its answer is written when the worker settles it.

        A callback rather than a task per request: requests come by the thousand per second.
        """
        future: asyncio.Future[Any] = loop.create_future()
        request_id = frame.get("id")

        def answer(done: asyncio.Future[Any]) -> None:
            if done.cancelled():
                return
            error = done.exception()
            if error is None:
                frames.write({"id": request_id, "result": done.result()})
            elif isinstance(error, Exception):  # the peer's answer is an error frame
                frames.write(error_frame(request_id, error))

        future.add_done_callback(answer)
        self._queue.put((0, next(self._counter), _Request(str(frame.get("op")), frame, future)))

    # the worker (owns the store) ---------------------------------------------------------------
    def _work(self) -> None:
        try:
            while True:
                try:
                    _, key, item = self._queue.get(timeout=self.batch_timeout_s / 2)
                except queue.Empty:
                    self._maybe_mark()
                    continue
                if item is None:
                    return
                if isinstance(item, list):
                    self._on_messages(key, item)
                else:
                    self._on_request(item)
                if len(self._settled) >= _SETTLE_BATCH or not self._request_next():
                    self._hand_back()
                self._maybe_mark()
        except BaseException as exc:  # a peer that cannot commit must stop, loudly
            self.failure = exc
            print(f"peer {self.org}/{self.name} stopped: {exc!r}", file=sys.stderr, flush=True)
            self.stopped.set()
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                self._hand_back()

    def _on_messages(self, key: int, messages: list[StreamMessage]) -> None:
        """Consume a batch in order; if a request arrives meanwhile, answer it first.

        The rest of the batch goes back under its own key, which sorts before every later
        batch, so the stream is still consumed in order.
        """
        for index, message in enumerate(messages, 1):
            self._stream_queued -= 1
            self._on_message(message)
            if index < len(messages) and self._request_next():
                self._queue.put((1, key, messages[index:]))
                return

    def _on_message(self, message: StreamMessage) -> None:
        assert self._cutter is not None
        self._caught_up = message.pending == 0
        size = self.peer.view.config.ordering.max_tx_per_block if self._cutter.next_number else 1
        block = self._cutter.add(message, size)
        if self._cutter.pending and self._pending_since is None:
            self._pending_since = time.monotonic()
        if block is not None:
            self._commit(block)

    def _commit(self, block: Block) -> None:
        assert self._cutter is not None
        if block.number == 0 and block.hash != self.genesis_hash:
            raise LedgerError(
                f"the stream's genesis block {block.hash[:16]} is not this consortium's "
                f"{self.genesis_hash[:16]}"
            )
        record, txs = self.peer.commit_txs(block)
        self._pending_since = time.monotonic() if self._cutter.pending else None
        if block.number == 0:
            self._io.spawn(self._serve()).result(30)
        if self._waiters:
            for tx in txs:
                for wait in self._waiters.pop(tx.tx_id, ()):
                    if tx.tx_id in wait.remaining:
                        wait.remaining.discard(tx.tx_id)
                        wait.found.append(_tx_json(tx))
                        if not wait.remaining:
                            self._resolve(wait.future, wait.answer())
        del record

    def _maybe_mark(self) -> None:
        cutter = self._cutter
        if cutter is None or not cutter.pending or not self._caught_up:
            return
        now = time.monotonic()
        if self._pending_since is None or now - self._pending_since < self.batch_timeout_s:
            return
        number = cutter.next_number
        if self._marked is not None and self._marked[0] == number and now - self._marked[1] < 2:
            return
        self._marked = (number, now)
        self._orderer.mark(number)

    def _resolve(
        self, future: asyncio.Future[Any], result: Any, error: Exception | None = None
    ) -> None:
        """Queue an answer; ``_hand_back`` passes the queued ones to the loop together."""
        self._settled.append((future, result, error))

    def _request_next(self) -> bool:
        """Whether another request waits (then its answer can join this batch)."""
        waiting = self._queue.queue  # heap: its head is the next item, requests first
        return bool(waiting) and waiting[0][0] == 0

    def _hand_back(self) -> None:
        """Settle the queued answers on the loop thread, waking it once for all of them."""
        if not self._settled:
            return
        batch, self._settled = self._settled, []

        def settle() -> None:
            for future, result, error in batch:
                if future.done():
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(result)

        self._io.loop.call_soon_threadsafe(settle)

    def _on_request(self, request: _Request) -> None:
        try:
            result = self._run(request)
        except Exception as exc:  # handed back to the caller as an error frame
            self._resolve(request.future, None, exc)
            return
        if result is not _WAIT:
            self._resolve(request.future, result)

    def _run(self, request: _Request) -> Any:
        peer, args = self.peer, request.args
        if request.op == "endorse":
            endorsed = peer.endorse(
                str(args["proposal"]).encode(), bytes.fromhex(str(args["signature"]))
            )
            return {
                "payload": endorsed.payload.decode(),
                "endorser": endorsed.endorsement.endorser,
                "signature": endorsed.endorsement.signature.hex(),
                "response": endorsed.response,
            }
        if request.op == "wait":
            return self._wait(request.future, args)
        if request.op == "status":
            return self.status()
        if request.op == "config":
            return peer.view.config.model_dump(mode="json")
        if request.op == "owner":
            contract = peer.contracts.get(str(args["contract"]))
            if contract is None:
                return None
            return contract.owner(str(args["function"]), args.get("args"), peer.store)
        if request.op == "get":
            return peer.get(str(args["key"]))
        if request.op == "tx":
            record = peer.tx(str(args["tx_id"]))
            return None if record is None else _tx_json(record)
        raise LedgerError(f"unknown operation {request.op!r}")

    def _wait(self, future: asyncio.Future[Any], args: dict[str, Any]) -> Any:
        single = "tx_ids" not in args
        ids = [args.get("tx_id")] if single else args["tx_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise LedgerError("wait needs tx_id (a string) or tx_ids (a list of strings)")
        if not 1 <= len(ids) <= _MAX_WAIT_IDS:
            raise LedgerError(f"wait names 1 to {_MAX_WAIT_IDS} transactions, not {len(ids)}")
        wait = _Wait(future, set(), [], single)
        for tx_id in dict.fromkeys(ids):
            record = self.peer.tx(tx_id)
            if record is None:
                wait.remaining.add(tx_id)
            else:
                wait.found.append(_tx_json(record))
        if not wait.remaining:
            return wait.answer()
        for tx_id in wait.remaining:
            self._waiters.setdefault(tx_id, []).append(wait)
        return _WAIT

    def status(self) -> dict[str, Any]:
        """Height, last hashes, state root and process CPU seconds (worker thread only)."""
        store = self.peer.store
        height = store.height
        last = store.block(height - 1) if height else None
        return {
            "org": self.org,
            "name": self.name,
            "height": height,
            "block_hash": None if last is None else last[0].hash,
            "commit_hash": None if last is None else last[1].commit_hash,
            "state_root": None if last is None else last[1].state_root,
            "cpu_s": round(time.process_time(), 3),
        }


_WAIT = object()


def _tx_json(record: TxRecord) -> dict[str, Any]:
    return {"tx_id": record.tx_id, "block": record.block, "code": record.code}


def run_peer(
    home: Path,
    org: str,
    servers: Sequence[str],
    *,
    name: str = "peer0",
    host: str = "127.0.0.1",
    port: int = 0,
    batch_timeout_s: float = 0.1,
) -> int:
    """Run a peer until SIGTERM/SIGINT; return the exit status (1 if it had to stop)."""
    import signal

    node = PeerNode(
        home, org, servers, name=name, host=host, port=port, batch_timeout_s=batch_timeout_s
    )

    def stop(*_: object) -> None:
        node.stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    node.start()
    try:
        node.stopped.wait()
    finally:
        node.close()
    return 1 if node.failure is not None else 0
