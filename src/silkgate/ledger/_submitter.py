"""Submitting envelopes in batches: one stream message and one commit wait per batch.

A client with many transactions in flight would otherwise pay, per transaction, a
JetStream publish and acknowledgement, a message every peer reads, and a wait request to
its peer. ``BatchSubmitter`` gathers the envelopes submitted within ``linger_s`` of each
other (at most ``MAX_BATCH`` or ``max_bytes``), publishes them as one ``txs`` message
and asks the peer once for all their commits. Cutting never splits a batch, so its
transactions land in the same block and the one answer comes when that block commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from silkgate.ledger._errors import LedgerError
from silkgate.ledger._ordering._cutter import MAX_BATCH

Publish = Callable[[Sequence[bytes]], Awaitable[int]]
WaitAll = Callable[[list[str]], Awaitable[Any]]


class BatchSubmitter:
    """``submit(tx_id, envelope)`` returns the committing peer's record of the transaction."""

    def __init__(
        self,
        publish: Publish,
        wait_all: WaitAll,
        *,
        linger_s: float = 0.02,
        max_bytes: int = 512 * 1024,
    ) -> None:
        self._publish = publish
        self._wait_all = wait_all
        self.linger_s = linger_s
        self.max_bytes = max_bytes
        self._pending: list[tuple[str, bytes, asyncio.Future[dict[str, Any]]]] = []
        self._bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def submit(self, tx_id: str, envelope: bytes) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        if not self._pending:
            self._timer = loop.call_later(self.linger_s, self._flush)
        self._pending.append((tx_id, envelope, future))
        self._bytes += len(envelope)
        if len(self._pending) >= MAX_BATCH or self._bytes >= self.max_bytes:
            self._flush()
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending, self._bytes = self._pending, [], 0
        if batch:
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[str, bytes, asyncio.Future[dict[str, Any]]]]) -> None:
        try:
            # Asked before publishing, so the answer cannot miss a fast commit.
            ask = self._wait_all([tx_id for tx_id, _, _ in batch])
            waiting = asyncio.ensure_future(ask)
            try:
                await self._publish([envelope for _, envelope, _ in batch])
            except BaseException:
                waiting.cancel()
                raise
            found = await waiting
            records = {str(r["tx_id"]): r for r in found["txs"]}
        except Exception as exc:  # every transaction of the batch shares the failure
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for tx_id, _, future in batch:
            if future.done():
                continue
            record = records.get(tx_id)
            if record is None:
                future.set_exception(LedgerError(f"the peer did not report {tx_id}"))
            else:
                future.set_result(record)
