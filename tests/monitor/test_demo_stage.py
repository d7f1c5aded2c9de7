"""The demo's monitor stage finds the exfiltration it injects."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkgate.demo import run_demo
from silkgate.demo._stage_monitor import run_monitor_stage
from silkgate.gate import Platform

pytestmark = pytest.mark.slow


def test_monitor_stage_detects_injected_exfiltration(tmp_path: Path) -> None:
    from silkgate.config import load_settings

    settings = load_settings(tmp_path / "home")
    result = run_demo(settings, rows=200)

    with Platform(settings) as platform:
        figures = run_monitor_stage(platform, result.samples, settings.home)

    assert figures["injected"] == figures["detected"]
    assert (settings.home / "monitor" / "alerts.jsonl").exists()
