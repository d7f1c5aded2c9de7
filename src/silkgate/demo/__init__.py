"""The demo: a China–ASEAN consortium with realistic sample data, run stage by stage."""

from silkgate.demo._consortium import DEMO_PARTIES
from silkgate.demo._run import DemoResult, Progress, init_consortium, prepare_home, run_demo
from silkgate.demo._samples import SPECS, Sample, SampleSpec, write_sample

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
