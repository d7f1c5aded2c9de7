"""The demo's compute stage: a PSI of two parties' customer lists, then a DP statistic.

Lion City Health (SG) and Siam Digital Payments (TH) want to know how many SG
policyholders also pay by card in Thailand, and the mean claim amount of those who do,
without either exchanging its customer list: their nodes run RR22 PSI, then the SG node
releases an ε = 1 DP mean over the intersection, charged to its dataset's budget.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from silkgate.compute import ComputeHome, Grant, StaticGrants, TaskSpec
from silkgate.demo._samples import Sample
from silkgate.gate import Platform

SG, TH = "sg-lionhealth", "th-siampay"
CLAIMS = "sg-lionhealth-claims"


def _customer_lists(samples: list[Sample], root: Path) -> dict[str, Path]:
    """SG's policyholders with their claim totals; TH's cardholders, some of them SG residents."""
    claims = next(s for s in samples if s.dataset.id == CLAIMS)
    frame = pd.read_csv(claims.path, usecols=["nric", "amount_sgd"])
    holders = frame.groupby("nric", as_index=False)["amount_sgd"].sum()
    rng = np.random.default_rng(17)
    travellers = holders["nric"].sample(frac=0.3, random_state=17).tolist()
    others = [
        f"P{n:08d}" for n in rng.choice(10**8, size=max(len(holders) // 2, 10), replace=False)
    ]
    directories = {SG: root / SG, TH: root / TH}
    for directory in directories.values():
        directory.mkdir(parents=True, exist_ok=True)
    holders.to_csv(directories[SG] / "sg-lionhealth-customers.csv", index=False)
    pd.DataFrame({"customer_id": travellers + others}).sample(frac=1.0, random_state=3).to_csv(
        directories[TH] / "th-siampay-customers.csv", index=False
    )
    return directories


@contextlib.contextmanager
def _native_logs_to_stderr() -> Iterator[None]:
    """spu's C++ logs write to file descriptor 1; keep stdout for the demo's JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run_compute_stage(platform: Platform, samples: list[Sample], home: Path) -> dict[str, object]:
    """Run the stage with in-process nodes for SG and TH; return its figures."""
    with _native_logs_to_stderr():
        return _run(samples, home)


def _run(samples: list[Sample], home: Path) -> dict[str, object]:
    started = time.perf_counter()
    compute = ComputeHome.of(home)
    directories = _customer_lists(samples, compute.root / "demo-data")
    grants = StaticGrants(
        [
            Grant(
                grantee=TH, dataset="sg-lionhealth-customers", kinds=frozenset({"psi", "dp_query"})
            ),
            Grant(grantee=SG, dataset="th-siampay-customers", kinds=frozenset({"psi"})),
        ]
    )
    grants.write(compute.grants)
    nodes = [compute.make_node(party, directories[party], grants=grants) for party in (SG, TH)]
    try:
        for node in nodes:
            node.start()
            compute.enroll(node)
        with compute.open_scheduler(grants=grants) as scheduler:
            psi = scheduler.run(
                TaskSpec.model_validate(
                    {
                        "id": "demo-psi",
                        "kind": "psi",
                        "inputs": [
                            {
                                "party": SG,
                                "dataset": "sg-lionhealth-customers",
                                "columns": ["nric"],
                            },
                            {
                                "party": TH,
                                "dataset": "th-siampay-customers",
                                "columns": ["customer_id"],
                            },
                        ],
                        "receivers": [SG, TH],
                        "params": {"protocol": "rr22", "output": "intersection"},
                        "limits": {"time_s": 60},
                    }
                )
            )
            if psi.result is None:
                return {"error": psi.error, "seconds": round(time.perf_counter() - started, 3)}
            dp = scheduler.run(
                TaskSpec.model_validate(
                    {
                        "id": "demo-dp-mean",
                        "kind": "dp_query",
                        "inputs": [{"party": SG, "dataset": "sg-lionhealth-customers",
                                    "columns": ["amount_sgd"]}],
                        "receivers": [TH],
                        "privacy": {"epsilon": 1.0},
                        "params": {"statistic": "mean", "bounds": [0, 5000],
                                   "restrict": {"column": "nric", "keys_from_task": "demo-psi"}},
                        "limits": {"time_s": 60},
                    }
                )
            )  # fmt: skip
    finally:
        for node in nodes:
            node.close()
    figures: dict[str, object] = {
        "psi_protocol": "rr22",
        "sg_customers": int(psi.metering[SG].rows),
        "th_customers": int(psi.metering[TH].rows),
        "intersection": int(psi.result["count"]),
        "dp_statistic": "mean amount_sgd over the intersection",
        "dp_epsilon": 1.0,
        "dp_value": None if dp.result is None else round(float(dp.result["value"]), 2),
        "dp_epsilon_left": None if dp.result is None else dp.result["epsilon_left"],
        "tasks": {psi.id: psi.state, dp.id: dp.state},
        "seconds": round(time.perf_counter() - started, 3),
    }
    return figures
