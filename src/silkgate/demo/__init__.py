"""The demo: a China–ASEAN consortium with realistic sample data, run stage by stage.

The runner (`run_demo` and the names beside it) loads every pillar, torch and gensim
included, so it is imported on first use: code that needs only the demo parties or sample
data (benchmarks, tests, `cluster up`) does not pay seconds for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from silkgate.demo._consortium import DEMO_PARTIES
from silkgate.demo._samples import SPECS, Sample, SampleSpec, write_sample

if TYPE_CHECKING:
    from silkgate.demo._run import DemoResult, Progress, init_consortium, prepare_home, run_demo

_RUNNER_NAMES = frozenset({"DemoResult", "Progress", "init_consortium", "prepare_home", "run_demo"})

__all__ = [
    "DEMO_PARTIES",
    "SPECS",
    "DemoResult",
    "Progress",
    "Sample",
    "SampleSpec",
    "init_consortium",
    "prepare_home",
    "run_demo",
    "write_sample",
]


def __getattr__(name: str) -> Any:
    if name in _RUNNER_NAMES:
        return getattr(importlib.import_module("silkgate.demo._run"), name)
    raise AttributeError(f"module 'silkgate.demo' has no attribute {name!r}")
