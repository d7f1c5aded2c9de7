"""Transfer traffic for the monitor page: three days between the demo parties, a night of bulk
personal data to a country outside the consortium, scored by the real monitor.

The events go to ``HOME/monitor/transfers.jsonl``, the monitor's alerts (anomalies and
compliance findings with their citations) to ``HOME/monitor/alerts.jsonl``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from silkgate.monitor import (
    AlertStore,
    Monitor,
    MonitorConfig,
    TransferEvent,
    dump_transfers,
    transfer_events,
)

PARTIES = {"cn-gxic": "CN", "sg-lionhealth": "SG", "vn-mekonglog": "VN", "th-siampay": "TH"}
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _event(rng: np.random.Generator, at: dt.datetime) -> TransferEvent:
    exporter, importer = (str(p) for p in rng.choice(sorted(PARTIES), size=2, replace=False))
    records = int(rng.integers(50, 400))
    return TransferEvent(
        ts=at, exporter=exporter, exporter_jurisdiction=PARTIES[exporter], importer=importer,
        importer_jurisdiction=PARTIES[importer], bytes=int(records * rng.normal(220, 15)),
        records=records, categories=frozenset({"business"}), content="sku price stock warehouse",
        grant=f"grant-{exporter}-{importer}",
    )  # fmt: skip


def _leak(at: dt.datetime) -> TransferEvent:
    """Bulk health records of CN residents to a host in the US, declared, with no grant."""
    return TransferEvent(
        ts=at, exporter="cn-gxic", exporter_jurisdiction="CN", importer="unknown-host",
        importer_jurisdiction="US", bytes=48_000 * 220, records=48_000, personal=True,
        subjects=48_000, sensitive_subjects=48_000,
        categories=frozenset({"health", "identifier"}), content="身份证号 姓名 诊断",
    )  # fmt: skip


def write_traffic(home: Path, *, days: int = 3, seed: int = 5) -> tuple[int, int]:
    """Write the events and the monitor's alerts; return (events, alerts)."""
    rng = np.random.default_rng(seed)
    events = [
        _event(rng, START + dt.timedelta(hours=hour, seconds=float(rng.uniform(0, 3600))))
        for hour in range(days * 24)
        for _ in range(int(rng.poisson(6 if 8 <= hour % 24 <= 19 else 1)))
    ]
    night = START + dt.timedelta(days=days - 1, hours=2)
    leaks = [_leak(night + dt.timedelta(minutes=9 * k)) for k in range(4)]
    events = sorted(events + leaks, key=lambda e: e.ts)
    directory = home / "monitor"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "transfers.jsonl").write_bytes(dump_transfers(events))
    frame = transfer_events(events)
    split = len(frame) // 2
    monitor = Monitor(MonitorConfig(contamination=0.01)).fit(frame.iloc[:split])
    alerts = monitor.detect(frame.iloc[split:].reset_index(drop=True))
    AlertStore(directory / "alerts.jsonl").add(alerts)
    return len(events), len(alerts)
