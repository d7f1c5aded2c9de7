"""``jetstream`` ordering: a NATS JetStream stream replicated by Raft over three or more servers.

Clients publish endorsed envelopes to the stream; every peer reads the stream in order
and cuts the same blocks from it (``BlockCutter``). The stream's Raft group is the
ordering service: it survives the loss of a minority of its servers (a leader loss stalls
acknowledgements for a few seconds), and it can delay or reorder transactions but not
forge one, because every peer validates every signature itself.

Publishing is pipelined: each envelope goes out with ``Nats-Msg-Id`` set to its hash and
is resent with the same id until acknowledged, so the stream's duplicate window keeps a
resend after a leader change from being stored twice (and a later duplicate is refused by
validation as ``DUPLICATE_TXID``). All network I/O runs on a ``LoopThread``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import secrets
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client as Nats
from nats.js import api

from silkgate.ledger._codec import sha256_hex
from silkgate.ledger._errors import LedgerError
from silkgate.ledger._loop import LoopThread
from silkgate.ledger._ordering._cutter import (
    GENESIS_SEQ,
    BlockCutter,
    CutPoint,
    MessageKind,
    StreamMessage,
    batch_id,
    batch_message,
    cut_message,
    genesis_message,
    stream_name,
)

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from silkgate.ledger._blocks import Block

_BATCH, _BATCH_WAIT_S = 256, 0.05
"""A following peer's pull: up to this many messages, waiting at most this long for them."""

_RETRYABLE = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.StaleConnectionError,
    nats.js.errors.NoStreamResponseError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.ServerError,
    asyncio.TimeoutError,
)


@dataclass(frozen=True, slots=True)
class StreamNames:
    """The stream and subjects of one consortium (tagged by its genesis hash)."""

    stream: str
    prefix: str

    @classmethod
    def for_genesis(cls, genesis_hash: str) -> StreamNames:
        return cls(stream_name(genesis_hash), f"ledger.{genesis_hash[:16]}")

    @property
    def subjects(self) -> str:
        return f"{self.prefix}.>"

    def subject(self, kind: MessageKind) -> str:
        return f"{self.prefix}.{kind}"


async def _cancel_until_done(task: asyncio.Future[None]) -> None:
    """Cancel ``task`` until it has ended.

    nats-py's first-connect loop swallows a cancellation that lands while it closes a
    failed attempt and tries again, so one cancel (what ``wait_for`` sends) can leave it
    retrying, and its caller waiting, forever.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.5)
    if not task.cancelled():
        task.exception()  # retrieved: it is reported through the caller's own error


def _time_ns(msg: Msg) -> int:
    """The stored message's timestamp, read exactly from the JetStream reply subject."""
    tokens = (msg.reply or "").split(".")
    index = 7 if len(tokens) == 9 else 9
    return int(tokens[index])


def _message(msg: Msg, prefix: str) -> StreamMessage:
    meta = msg.metadata
    kind = msg.subject[len(prefix) + 1 :]
    if kind not in ("genesis", "tx", "txs", "cut"):  # not ours: consumed, never cuts
        return StreamMessage(meta.sequence.stream, "cut", b"{}", _time_ns(msg), meta.num_pending)
    return StreamMessage(
        meta.sequence.stream,
        kind,  # type: ignore[arg-type]
        msg.data,
        _time_ns(msg),
        meta.num_pending,
    )


class JetStreamOrderer:
    """The ``Orderer`` over a JetStream stream; ``start()`` connects, ``close()`` disconnects.

    ``submit``/``flush`` publish (clients); ``deliver`` cuts blocks from the stream after
    ``resume`` (a simple synchronous reader); peers use ``follow`` and their own cutter.
    """

    def __init__(
        self,
        servers: Sequence[str],
        names: StreamNames,
        *,
        loop: LoopThread | None = None,
        resume: CutPoint | None = None,
        max_tx_per_block: int = 500,
        publish_timeout_s: float = 60.0,
        tls: ssl.SSLContext | None = None,
        connect_timeout_s: float = 60.0,
    ) -> None:
        self.servers = list(servers)
        self.names = names
        self._tls = tls
        self._connect_timeout_s = connect_timeout_s
        self._last_error: BaseException | None = None
        self._own_loop = loop is None
        self._loop = loop or LoopThread("jetstream")
        self._nc: Nats | None = None
        self._js: JetStreamContext | None = None
        self._cutter = BlockCutter(names.stream, resume or CutPoint.after(None))
        self._max = max_tx_per_block
        self._publish_timeout_s = publish_timeout_s
        self._inflight: set[concurrent.futures.Future[None]] = set()
        self._errors: list[BaseException] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._window: asyncio.Semaphore | None = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> JetStreamOrderer:
        if self._nc is None:
            self._loop.start()
            self._loop.run(self.connect())
        return self

    async def connect(self) -> None:
        """Connect from the loop thread, over ``tls`` when given.

        The first connection is retried over the listed servers for ``connect_timeout_s``
        (servers may still be starting), then fails naming the last error (a refused
        certificate, say); once connected, the client reconnects forever.
        """
        if self._nc is not None:
            return
        nc = Nats()
        connecting = asyncio.ensure_future(
            nc.connect(
                servers=self.servers,
                tls=self._tls,
                connect_timeout=5,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.25,  # type: ignore[arg-type]  # seconds; any float works
                allow_reconnect=True,
                pending_size=64 * 1024 * 1024,
                error_cb=self._on_error,
            )
        )
        try:
            await asyncio.wait_for(asyncio.shield(connecting), self._connect_timeout_s)
        except Exception as exc:  # nats-py raises several kinds for unreachable servers
            await _cancel_until_done(connecting)
            with contextlib.suppress(Exception):
                await nc.close()
            cause = self._last_error or exc
            raise LedgerError(
                f"cannot connect to NATS at {', '.join(self.servers)}: {cause!r}"
            ) from None
        self._nc = nc
        self._js = nc.jetstream(timeout=5)
        self._window = asyncio.Semaphore(4096)

    async def _on_error(self, error: Exception) -> None:
        """Keep the last connection error, a TLS one over others (it says why we were refused).

        nats-py would log each with a traceback instead.
        """
        if isinstance(error, ssl.SSLError) or not isinstance(self._last_error, ssl.SSLError):
            self._last_error = error

    def close(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(concurrent.futures.TimeoutError, LedgerError):
                self._loop.run(self._close(), timeout_s=10)
            self._nc = None
        if self._own_loop:
            self._loop.close()

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise LedgerError("the JetStream orderer is not started")
        return self._js

    # the stream --------------------------------------------------------------------------------
    async def ensure_stream(self, replicas: int) -> None:
        """Create the stream (file storage, ``replicas`` copies) unless it exists."""
        config = api.StreamConfig(
            name=self.names.stream,
            subjects=[self.names.subjects],
            storage=api.StorageType.FILE,
            num_replicas=replicas,
            duplicate_window=120.0,
            retention=api.RetentionPolicy.LIMITS,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                await self.js.stream_info(self.names.stream)
                return
            except nats.js.errors.NotFoundError:
                pass
            except _RETRYABLE:
                pass
            try:
                await self.js.add_stream(config)
                return
            except (nats.js.errors.APIError, *_RETRYABLE) as exc:
                if time.monotonic() > deadline:
                    raise LedgerError(f"cannot create stream {self.names.stream}: {exc}") from None
                await asyncio.sleep(0.5)

    async def publish_genesis(self, block: Block) -> None:
        """Put the genesis block at sequence 1 (idempotent: its id is the genesis hash)."""
        ack = await self.publish("genesis", genesis_message(block), f"genesis-{block.hash}")
        if ack != GENESIS_SEQ:
            raise LedgerError(f"stream {self.names.stream} already holds other messages")

    async def publish(self, kind: MessageKind, data: bytes, msg_id: str) -> int:
        """Publish until acknowledged (resending with the same id); return the sequence."""
        assert self._window is not None
        deadline = time.monotonic() + self._publish_timeout_s
        async with self._window:
            while True:
                try:
                    ack = await self.js.publish(
                        self.names.subject(kind), data, timeout=2.0,
                        headers={"Nats-Msg-Id": msg_id},
                    )  # fmt: skip
                    return int(ack.seq)
                except _RETRYABLE as exc:
                    if time.monotonic() > deadline:
                        raise LedgerError(f"no acknowledgement from JetStream: {exc}") from None
                    await asyncio.sleep(0.2)

    async def publish_envelope(self, envelope: bytes) -> int:
        return await self.publish("tx", envelope, sha256_hex(envelope))

    async def publish_batch(self, envelopes: Sequence[bytes]) -> int:
        """Publish envelopes as one ``txs`` message (one envelope: a ``tx`` message)."""
        if len(envelopes) == 1:
            return await self.publish_envelope(envelopes[0])
        return await self.publish("txs", batch_message(envelopes), batch_id(envelopes))

    def mark(self, number: int | None) -> None:
        """Publish a time-to-cut marker without waiting (any peer may; the first wins)."""
        msg_id = f"cut-{number}" if number is not None else f"cut-{secrets.token_hex(8)}"

        async def send() -> None:
            with contextlib.suppress(LedgerError):
                await self.publish("cut", cut_message(number), msg_id)

        self._loop.spawn(send())

    # Orderer -----------------------------------------------------------------------------------
    def submit(self, envelope: bytes) -> None:
        future = self._loop.spawn(self._submit(envelope))
        self._inflight.add(future)
        future.add_done_callback(self._done)

    async def _submit(self, envelope: bytes) -> None:
        await self.publish_envelope(envelope)

    def _done(self, future: concurrent.futures.Future[None]) -> None:
        self._inflight.discard(future)
        if not future.cancelled() and future.exception() is not None:
            self._errors.append(future.exception())  # type: ignore[arg-type]

    def flush(self) -> None:
        """Wait until every submitted envelope is acknowledged, then ask for a cut."""
        for future in list(self._inflight):
            future.result()
        if self._errors:
            error = self._errors[0]
            self._errors.clear()
            raise LedgerError(f"publishing failed: {error}")
        self._loop.run(self.publish("cut", cut_message(None), f"cut-{secrets.token_hex(8)}"))

    def deliver(self, start: int) -> Iterator[Block]:
        """Blocks from ``start`` (the cutter's next number) as far as the stream holds them."""
        if start != self._cutter.next_number:
            raise LedgerError(
                f"this reader resumes at block {self._cutter.next_number}, not {start}"
            )
        messages = self._loop.run(self._read_all(self._cutter.position + 1))
        for message in messages:
            block = self._cutter.add(message, self._max)
            if block is not None:
                yield block

    async def _read_all(self, start_seq: int) -> list[StreamMessage]:
        sub = await self._consumer(start_seq)
        found: list[StreamMessage] = []
        try:
            while True:
                try:
                    batch = await sub.fetch(512, timeout=1.0)
                except nats.errors.TimeoutError:
                    return found
                found.extend(_message(m, self.names.prefix) for m in batch)
                if found and found[-1].pending == 0:
                    return found
        finally:
            await sub.unsubscribe()

    async def _consumer(self, start_seq: int) -> JetStreamContext.PullSubscription:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=max(1, start_seq),
            ack_policy=api.AckPolicy.NONE,
            inactive_threshold=30.0,
            mem_storage=True,
            num_replicas=1,
        )
        return await self.js.pull_subscribe(
            self.names.subjects, stream=self.names.stream, config=config
        )

    # following ---------------------------------------------------------------------------------
    def follow(
        self,
        start_seq: int,
        on_messages: Callable[[list[StreamMessage]], None],
        is_busy: Callable[[], bool],
    ) -> None:
        """Read the stream from ``start_seq`` on, forever, handing messages to ``on_messages``.

        Runs on the loop thread and only moves bytes: ``on_messages`` gets each pulled
        batch, in stream order and without gaps, and should queue it for another thread.
        While ``is_busy()``, reading pauses (back pressure). A consumer lost with a server
        is re-created from the last sequence handed over.
        """
        task = self._loop.loop.create_task(self._follow(start_seq, on_messages, is_busy))
        self._tasks.add(task)

    async def _follow(
        self,
        start_seq: int,
        on_messages: Callable[[list[StreamMessage]], None],
        is_busy: Callable[[], bool],
    ) -> None:
        position = start_seq - 1
        sub: JetStreamContext.PullSubscription | None = None
        idle = False
        idle_since = time.monotonic()
        while True:
            if is_busy():
                await asyncio.sleep(0.005)
                continue
            try:
                if sub is None:
                    sub = await self._consumer(position + 1)
                # While messages flow, one pull takes all that arrive within _BATCH_WAIT_S
                # (one round trip for many); when the stream was quiet, a long pull for one.
                if idle:
                    batch = await sub.fetch(1, timeout=1.0)
                else:
                    batch = await sub.fetch(_BATCH, timeout=_BATCH_WAIT_S)
            except nats.errors.TimeoutError:
                idle = True
                if time.monotonic() - idle_since > 3.0 and sub is not None:
                    # Idle or lost with its server: re-create it (cheap, ephemeral).
                    await self._drop(sub)
                    sub = None
                    idle_since = time.monotonic()
                continue
            except asyncio.CancelledError:
                raise
            except Exception:  # a lost consumer, a reconnect, a leader change
                if sub is not None:
                    await self._drop(sub)
                sub = None
                await asyncio.sleep(0.25)
                continue
            idle_since = time.monotonic()
            idle = False
            handed: list[StreamMessage] = []
            for raw in batch:
                message = _message(raw, self.names.prefix)
                if message.seq <= position:
                    continue
                if message.seq != position + 1:
                    await self._drop(sub)
                    sub = None
                    break
                position = message.seq
                handed.append(message)
            if handed:
                on_messages(handed)

    @staticmethod
    async def _drop(sub: JetStreamContext.PullSubscription) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            await asyncio.wait_for(sub.unsubscribe(), 2.0)
