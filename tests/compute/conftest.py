"""Three party nodes as real processes on loopback, with small datasets of each kind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from silkgate.compute import (
    ComputeHome,
    Directory,
    Grant,
    Scheduler,
    StaticGrants,
    node_tls_context,
)

PARTIES = ("cn-gxic", "sg-lionhealth", "th-siampay")
ALL_KINDS = frozenset({"psi", "secure_stats", "he_aggregate", "dp_query", "fl_train"})


@dataclass
class Consortium:
    home: Path
    data: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def compute(self) -> ComputeHome:
        return ComputeHome.of(self.home)

    def start(self, party: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
        before = _address(self.compute.directory, party)
        with (self.home / f"{party}.log").open("ab") as log:
            self.processes[party] = subprocess.Popen(
                [sys.executable, "-m", "silkgate.compute", "--home", str(self.home),
                 "--party", party, "--data", str(self.data[party])],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            address = _address(self.compute.directory, party)
            if address is not None and address != before:
                tls = node_tls_context(Directory.load(self.compute.directory), party)
                try:
                    httpx.get(address + "/v1/health", timeout=1.0, verify=tls).raise_for_status()
                    return
                except httpx.HTTPError:
                    pass
            if self.processes[party].poll() is not None:
                raise RuntimeError(f"node {party} exited; see {self.home / (party + '.log')}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"node {party} did not start")
            time.sleep(0.1)

    def kill(self, party: str) -> None:
        process = self.processes.pop(party)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for party in list(self.processes):
            process = self.processes.pop(party)
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def scheduler(self, grants: StaticGrants | None = None) -> Scheduler:
        return self.compute.open_scheduler(grants=grants)


def _address(directory: Path, party: str) -> str | None:
    entry = Directory.load(directory).principals.get(party) if directory.exists() else None
    return None if entry is None else entry.address


def write_datasets(data: dict[str, Path]) -> None:
    rng = np.random.default_rng(11)
    cn, sg, th = (data[p] for p in PARTIES)
    # customer lists: cn c0..c299, sg c200..c499 (+ duplicates): 100 in common
    pd.DataFrame({"customer": [f"c{i}" for i in range(300)]}).to_csv(
        cn / "cn-customers.csv", index=False
    )
    sg_ids = [f"c{i}" for i in range(200, 500)] + ["c250", "c260"]
    pd.DataFrame({"customer": sg_ids, "amount": rng.uniform(0, 100, len(sg_ids))}).to_parquet(
        sg / "sg-customers.parquet", index=False
    )
    pd.DataFrame({"amount": rng.integers(0, 1000, 400)}).to_csv(cn / "cn-amounts.csv", index=False)
    pd.DataFrame({"amount": rng.integers(0, 1000, 300)}).to_csv(sg / "sg-amounts.csv", index=False)
    th_amounts = pd.DataFrame({"amount": rng.integers(0, 1000, 200)})
    with closing(sqlite3.connect(th / "payments.sqlite")) as db:
        th_amounts.to_sql("th-amounts", db, index=False)
    pd.DataFrame({"x": rng.normal(10.0, 3.0, 64), "y": rng.normal(-2.0, 1.0, 64)}).to_csv(
        cn / "cn-vectors.csv", index=False
    )
    pd.DataFrame({"x": rng.normal(5.0, 2.0, 64), "y": rng.normal(1.0, 1.0, 64)}).to_csv(
        sg / "sg-vectors.csv", index=False
    )
    pd.DataFrame({"x": rng.normal(0.0, 1.0, 64), "y": rng.normal(3.0, 1.0, 64)}).to_csv(
        th / "th-vectors.csv", index=False
    )
    claims = pd.DataFrame(
        {
            "amount": rng.uniform(0, 500, 2000),
            "claim_type": rng.choice(["Dental", "Inpatient", "Outpatient"], 2000),
        }
    )
    claims.to_csv(sg / "sg-claims.csv", index=False)
    claims.iloc[:100].to_csv(sg / "sg-small.csv", index=False)
    (sg / "budgets.json").write_text(json.dumps({"sg-claims": 1000.0, "sg-small": 1.0}))


def all_grants() -> StaticGrants:
    datasets = ["cn-customers", "sg-customers", "cn-amounts", "sg-amounts", "th-amounts",
                "cn-vectors", "sg-vectors", "th-vectors", "sg-claims", "sg-small",
                "big-keys", "big-values", "ub-large", "ub-small",
                "cn-fl", "sg-fl", "th-fl"]  # fmt: skip
    return StaticGrants(
        Grant(grantee=p, dataset=d, kinds=ALL_KINDS) for p in PARTIES for d in datasets
    )


@pytest.fixture(scope="session")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    home = tmp_path_factory.mktemp("compute-home")
    data = {p: home / "data" / p for p in PARTIES}
    for directory in data.values():
        directory.mkdir(parents=True)
    write_datasets(data)
    grants = all_grants()
    # The nodes' own grants: everything except th-siampay receiving from sg-small.
    StaticGrants(
        g for g in grants if not (g.grantee == "th-siampay" and g.dataset == "sg-small")
    ).write(ComputeHome.of(home).grants)
    with running(Consortium(home=home, data=data), PARTIES) as consortium:
        yield consortium


@pytest.fixture
def scheduler(consortium: Consortium) -> Iterator[Scheduler]:
    with consortium.scheduler(grants=all_grants()) as opened:
        yield opened


@contextmanager
def running(consortium: Consortium, parties: Sequence[str]) -> Iterator[Consortium]:
    """``consortium`` with a node process per party, all stopped afterwards."""
    try:
        for party in parties:
            consortium.start(party)
        yield consortium
    finally:
        consortium.stop_all()
