"""`silkgate demo`: a consortium with sample data in a fresh data directory, stage by stage.

Stages: consortium, datasets, registry, rules (classify and assess), gate (publish, the four
verdicts and what follows each, billing, audit, trust), compute (the compute-only order's
results), monitor, ledger (every peer verified). ``--json`` adds ``decisions``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from silkgate.config import Settings, write_settings_file
from silkgate.demo._consortium import DEMO_PARTIES
from silkgate.demo._samples import SPECS, Sample, write_sample
from silkgate.demo._stage_gate import run_gate_stage
from silkgate.demo._stage_monitor import run_monitor_stage
from silkgate.demo._stage_rules import run_rules_stage
from silkgate.domain import InvalidInput, Party
from silkgate.gate import Platform
from silkgate.ledger import verify_ledger

MARKER = ".silkgate-demo"
Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a stage runs."""


@dataclass(slots=True)
class DemoResult:
    parties: list[Party]
    samples: list[Sample]
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """The gate's decisions, one per request of the story, with what followed each."""

    def as_json(self) -> dict[str, Any]:
        return {
            "parties": [p.model_dump(mode="json") for p in self.parties],
            "datasets": [
                {**s.dataset.model_dump(mode="json"), "path": str(s.path)} for s in self.samples
            ],
            "stages": self.stages,
            "decisions": self.decisions,
        }


def prepare_home(home: Path) -> None:
    """Empty ``home`` for a new demo; refuse if it holds anything that is not an old demo."""
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise InvalidInput(
                f"{home} holds data that is not from a demo; pass --data-dir with an empty "
                "or new directory",
                field="--data-dir",
            )
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("created by silkgate demo; the next demo run replaces it\n")


def init_consortium(platform: Platform, parties: tuple[Party, ...] = DEMO_PARTIES) -> list[Party]:
    """Register the demo parties not yet present; return those added."""
    known = {p.id for p in platform.registry.parties()}
    missing = [p for p in parties if p.id not in known]
    if missing:
        platform.registry.add_parties(missing)
    write_settings_file(
        platform.settings.config_file,
        {"ordering": platform.settings.ordering, "api": platform.settings.api.model_dump()},
    )
    return missing


def run_demo(
    settings: Settings, *, rows: int = 20_000, seed: int = 7, progress: Progress | None = None
) -> DemoResult:
    if rows < 10:
        raise InvalidInput(f"rows must be at least 10, got {rows}", field="--rows")
    report = progress or (lambda _stage, _done, _total: None)
    prepare_home(settings.home)
    with Platform(settings) as platform:
        started = time.perf_counter()
        parties = init_consortium(platform)
        result = DemoResult(parties=parties, samples=[])
        result.stages["consortium"] = {
            "parties": len(parties),
            "jurisdictions": sorted({p.jurisdiction for p in parties}),
            "seconds": round(time.perf_counter() - started, 3),
        }

        started = time.perf_counter()
        by_id = {p.id: p for p in parties}
        for done, spec in enumerate(SPECS):
            report("datasets", done, len(SPECS))
            sample = write_sample(
                spec,
                by_id[spec.party_id],
                settings.home / "data" / spec.party_id,
                rows,
                seed + done,
            )
            result.samples.append(sample)
        report("datasets", len(SPECS), len(SPECS))
        result.stages["datasets"] = {
            "datasets": len(result.samples),
            "rows": sum(s.dataset.rows for s in result.samples),
            "subjects": sum(s.dataset.subjects for s in result.samples),
            "seconds": round(time.perf_counter() - started, 3),
        }

        started = time.perf_counter()
        for sample in result.samples:
            platform.registry.add_dataset(sample.dataset, uri=sample.path.resolve().as_uri())
        result.stages["registry"] = {
            "registered": len(platform.registry.datasets()),
            "seconds": round(time.perf_counter() - started, 3),
        }

        report("classify and assess", 0, 1)
        result.stages["rules"] = run_rules_stage(platform, parties, result.samples)
        report("classify and assess", 1, 1)

        report("gate", 0, 1)
        story = run_gate_stage(platform, result.samples, settings.home)
        result.stages["gate"] = story.gate
        result.stages["compute"] = story.compute
        result.decisions = story.decisions
        report("gate", 1, 1)

        report("monitor", 0, 1)
        result.stages["monitor"] = run_monitor_stage(platform, result.samples, settings.home)
        report("monitor", 1, 1)

        started = time.perf_counter()
        consortium = platform.consortium()
        ledger: dict[str, Any] = {
            "orgs": len(consortium.peers),
            "height": consortium.peer().height,
            "peers_agree": consortium.peers_agree(),
        }
    reports = verify_ledger(settings.home / "ledger")
    ledger["verify"] = "ok" if reports and all(r.ok for r in reports) else "failed"
    ledger["seconds"] = round(time.perf_counter() - started, 3)
    result.stages["ledger"] = ledger
    return result
