"""The demo's monitor stage: generated transfer traffic with injected exfiltration, scored."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np

from silkgate.demo._samples import Sample
from silkgate.gate import Platform
from silkgate.monitor import (
    AlertStore,
    ContentSensitivityModel,
    Monitor,
    MonitorConfig,
    TransferEvent,
    dump_transfers,
    transfer_events,
)

_PARTNERS = ("CN", "SG", "VN", "TH", "MY")
_OTHER_CONTENT = (
    "shipment_id weight_kg port eta",
    "sku price stock warehouse",
    "invoice total currency due_date",
)


def _traffic(
    samples: list[Sample],
    parties: dict[str, str],
    rng: np.random.Generator,
    *,
    days: int,
    injected: int,
) -> tuple[list[TransferEvent], set[int]]:
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    events: list[TransferEvent] = []
    ids = sorted(parties)
    for hour in range(days * 24):
        busy = 8 <= hour % 24 <= 19
        for _ in range(int(rng.poisson(6 if busy else 1))):
            sample = samples[int(rng.integers(len(samples)))]
            d = sample.dataset
            importer = str(rng.choice([p for p in ids if p != d.owner]))
            personal = bool(rng.random() < 0.5)
            content = (
                " ".join(c.name for c in d.columns) if personal else str(rng.choice(_OTHER_CONTENT))
            )
            records = int(rng.integers(50, 500))
            events.append(
                TransferEvent(
                    ts=start + dt.timedelta(hours=hour, seconds=float(rng.uniform(0, 3600))),
                    exporter=d.owner,
                    exporter_jurisdiction=parties[d.owner],
                    importer=importer,
                    importer_jurisdiction=parties[importer],
                    dataset=d.id if personal else None,
                    bytes=int(records * rng.normal(220, 20)),
                    records=records,
                    personal=personal,
                    subjects=records if personal else 0,
                    categories=d.categories if personal else frozenset({"business"}),
                    mechanisms=frozenset({"standard_contract", "consent"})
                    if personal
                    else frozenset(),
                    grant=f"grant-{d.id}-{importer}" if personal else None,
                    content=content,
                )
            )
    events.sort(key=lambda e: e.ts)
    # exfiltration: at night, personal data in bulk to outside the consortium, labelled as
    # business data, no grant
    bad: set[int] = set()
    for k in range(injected):
        sample = samples[k % len(samples)]
        d = sample.dataset
        records = int(rng.integers(20_000, 60_000))
        event = TransferEvent(
            ts=start + dt.timedelta(days=days - 1, hours=2, minutes=7 * k),
            exporter=d.owner,
            exporter_jurisdiction=parties[d.owner],
            importer="unknown-host",
            importer_jurisdiction=str(rng.choice(["RU", "US", "KP"])),
            bytes=records * 220,
            records=records,
            personal=k % 2 == 0,
            subjects=records if k % 2 == 0 else 0,
            categories=d.categories if k % 2 == 0 else frozenset({"business"}),
            content=" ".join(c.name for c in d.columns),
        )
        position = int(rng.integers(len(events) // 2, len(events)))
        events.insert(position, event)
    bad = {i for i, e in enumerate(events) if e.importer == "unknown-host"}
    return events, bad


def run_monitor_stage(platform: Platform, samples: list[Sample], home: Path) -> dict[str, object]:
    """Generate ~4 days of transfers among the demo parties, inject exfiltration, score it.

    Training is the first half (before any injection); the second half is scored. Alerts go
    to HOME/monitor/alerts.jsonl and the events to HOME/monitor/transfers.jsonl.
    """
    started = time.perf_counter()
    parties = {p.id: p.jurisdiction for p in platform.registry.parties()}
    rng = np.random.default_rng(11)
    events, bad = _traffic(samples, parties, rng, days=4, injected=12)
    directory = home / "monitor"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "transfers.jsonl").write_bytes(dump_transfers(events))
    frame = transfer_events(events)
    split = min([len(frame) // 2, *bad])
    train, test = frame.iloc[:split], frame.iloc[split:].reset_index(drop=True)
    datasets = {s.dataset.id: s.dataset for s in samples}
    monitor = Monitor(MonitorConfig(contamination=0.005), datasets=datasets).fit(train)
    alerts = monitor.detect(test)
    content = ContentSensitivityModel(epochs=8, dim=16).fit(
        train["content"].tolist(), train["personal"].tolist()
    )
    looks_personal = content.sensitivity(test["content"].tolist()) > 0.5
    mislabelled = np.flatnonzero(looks_personal & ~test["personal"].to_numpy(dtype=bool))
    AlertStore(directory / "alerts.jsonl").add(alerts)
    truth = {i - split for i in bad}
    anomaly_rows = {a.index for a in alerts if a.kind == "anomaly"}
    compliance_rows = {a.index for a in alerts if a.kind == "compliance"}
    return {
        "transfers": len(frame),
        "scored": len(test),
        "injected": len(truth),
        "anomaly_alerts": len(anomaly_rows),
        "detected": len(truth & (anomaly_rows | compliance_rows)),
        "false_alerts": len(anomaly_rows - truth),
        "compliance_alerts": len(compliance_rows),
        "mislabelled_content": len(set(mislabelled.tolist()) & truth),
        "seconds": round(time.perf_counter() - started, 3),
    }
