"""A streaming run through a real NATS JetStream server on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from silkgate.monitor import (
    AlertStore,
    Monitor,
    TransferEvent,
    dump_transfers,
    publish_batches,
    score_stream,
    transfer_events,
)

pytestmark = pytest.mark.multiprocess


def _transfers(count: int, *, start: int = 0, huge: int | None = None) -> list[TransferEvent]:
    rng = np.random.default_rng(start)
    base = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    return [
        TransferEvent(
            ts=base + dt.timedelta(minutes=start + i), exporter="cn-a", exporter_jurisdiction="CN",
            importer="sg-b", importer_jurisdiction="SG",
            bytes=50_000_000 if i == huge else int(rng.normal(10_000, 500)), records=100,
        )
        for i in range(count)
    ]  # fmt: skip


def test_scoring_workers_pull_batches_and_store_alerts(nats_url: str, tmp_path: Path) -> None:
    monitor = Monitor().fit(transfer_events(_transfers(300)))
    store = AlertStore(tmp_path / "alerts.jsonl")
    batches = [dump_transfers(_transfers(20, start=1000 + 20 * b, huge=5 if b == 2 else None))
               for b in range(4)]  # fmt: skip

    async def scenario() -> tuple[int, object]:
        sent = await publish_batches(nats_url, "telemetry.transfers", batches)
        stats = await score_stream(
            nats_url, "telemetry.transfers", monitor, store, idle_timeout_s=2.0
        )
        return sent, stats

    sent, stats = asyncio.run(scenario())

    assert sent == 4
    assert stats.messages == 4  # type: ignore[attr-defined]
    assert stats.records == 80  # type: ignore[attr-defined]
    assert any(a.kind == "anomaly" and a.index == 5 for a in store.alerts())
