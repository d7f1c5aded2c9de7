"""Streaming through NATS JetStream: ingest workers publish batches, scoring workers pull.

Every message is a batch of JSON Lines records (Zeek JSON, EVE or transfer events). Scoring
workers share one durable pull consumer, so several of them, on several machines, split
the stream between them; each message is acknowledged only after its alerts are stored, so
a worker that dies mid-batch leaves the batch to another (at-least-once).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

import nats
import pandas as pd
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from silkgate.monitor._alerts import Alert, AlertStore
from silkgate.monitor._errors import IngestError, StreamError
from silkgate.monitor._eve import eve_events
from silkgate.monitor._jsonl import read_json_lines
from silkgate.monitor._monitor import Monitor
from silkgate.monitor._tables import table_events
from silkgate.monitor._transfers import TransferEvent, transfer_events
from silkgate.monitor._zeek import zeek_events


def events_from_json_lines(data: bytes) -> pd.DataFrame:
    """Records of one message in the event schema; the format is read from the fields."""
    raw = read_json_lines(data, name="message")
    if raw.empty:
        return raw
    columns = set(map(str, raw.columns))
    if {"exporter_jurisdiction", "importer_jurisdiction"} <= columns:
        lines = [line for line in data.splitlines() if line.strip()]
        return transfer_events([TransferEvent.model_validate_json(line) for line in lines])
    if "event_type" in columns and ("dest_ip" in columns or "src_ip" in columns):
        return eve_events(raw)
    if "id.orig_h" in columns:
        return zeek_events(raw)
    return table_events(raw, source="stream")


def stream_name(subject: str) -> str:
    return "SILKGATE_" + "".join(c if c.isalnum() else "_" for c in subject).upper()


async def _jetstream(url: str, subject: str) -> tuple[NATS, object]:
    try:
        client = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=2)
    except Exception as exc:  # nats raises several kinds for an unreachable server
        raise StreamError(f"cannot reach NATS at {url}: {exc}") from None
    js = client.jetstream()
    try:
        await js.stream_info(stream_name(subject))
    except NotFoundError:
        await js.add_stream(name=stream_name(subject), subjects=[subject])
    return client, js


async def publish_batches(url: str, subject: str, batches: Iterable[bytes]) -> int:
    """Publish each batch (JSON Lines bytes) to ``subject`` on JetStream; return the count."""
    client, js = await _jetstream(url, subject)
    sent = 0
    try:
        for batch in batches:
            await js.publish(subject, batch)  # type: ignore[attr-defined]
            sent += 1
    finally:
        await client.drain()
    return sent


@dataclass(slots=True)
class StreamStats:
    messages: int = 0
    records: int = 0
    alerts: int = 0
    seconds: float = 0.0


async def score_stream(
    url: str,
    subject: str,
    monitor: Monitor,
    store: AlertStore,
    *,
    durable: str = "silkgate-monitor",
    batch: int = 16,
    idle_timeout_s: float | None = 5.0,
    max_messages: int | None = None,
) -> StreamStats:
    """Pull, score and store until the stream is idle for ``idle_timeout_s`` (None: forever)
    or ``max_messages`` were handled. Alerts are also published to ``SUBJECT.alerts``."""
    client, js = await _jetstream(url, subject)
    stats = StreamStats()
    started = time.perf_counter()
    idle_since = time.monotonic()
    try:
        subscription = await js.pull_subscribe(subject, durable=durable)  # type: ignore[attr-defined]
        while max_messages is None or stats.messages < max_messages:
            try:
                messages = await subscription.fetch(batch, timeout=1.0)
            except TimeoutError:  # nats-py raises its own subclass or plain asyncio's
                if idle_timeout_s is not None and time.monotonic() - idle_since > idle_timeout_s:
                    break
                continue
            idle_since = time.monotonic()
            for message in messages:
                try:
                    events = events_from_json_lines(message.data)
                except (IngestError, ValueError):
                    await message.term()  # a poison message: never redeliver
                    continue
                alerts: list[Alert] = monitor.detect(events) if len(events) else []
                store.add(alerts)
                for alert in alerts:
                    await client.publish(f"{subject}.alerts", alert.model_dump_json().encode())
                await message.ack()
                stats.messages += 1
                stats.records += len(events)
                stats.alerts += len(alerts)
    finally:
        # close, not drain: draining a pull subscription waits out its drain timeout
        await client.flush()
        await client.close()
    stats.seconds = round(time.perf_counter() - started, 3)
    return stats


def run_stream(
    url: str, subject: str, monitor: Monitor, store: AlertStore, **options: object
) -> StreamStats:
    """Blocking wrapper of ``score_stream`` for the CLI."""
    return asyncio.run(score_stream(url, subject, monitor, store, **options))  # type: ignore[arg-type]
