"""`secure_stats` beyond three parties runs MPyC between four real node processes.

The four columns hold 2¹⁷ + 4 values together: MPyC's own fixed-point mean
(``secfxp(64, 16)``) would come out 0 there; the engine's must equal the plaintext mean.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from silkgate.compute import (
    Directory,
    Grant,
    Scheduler,
    StaticGrants,
    TaskFailed,
    TaskSpec,
    node_tls_context,
)
from silkgate.compute._client import NodeClient

from .conftest import ALL_KINDS, Consortium, running

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

PARTIES = ("cn-gxic", "sg-lionhealth", "th-siampay", "vn-mekonglog")
ROWS = (1 << 17) // 4 + 1  # per party: 2¹⁷ + 4 in all
BINS = [0, 250_000, 500_000, 750_000, 1_000_000]


def _grants() -> StaticGrants:
    return StaticGrants(
        Grant(grantee=p, dataset=d, kinds=ALL_KINDS)
        for p in PARTIES
        for d in ("counts", "readings")
    )


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    home = tmp_path_factory.mktemp("mpyc-home")
    data = {p: home / "data" / p for p in PARTIES}
    rng = np.random.default_rng(17)
    for directory in data.values():
        directory.mkdir(parents=True)
        pd.DataFrame({"amount": rng.integers(0, 1_000_000, ROWS)}).to_csv(
            directory / "counts.csv", index=False
        )
        pd.DataFrame({"reading": rng.normal(36.6, 0.8, ROWS)}).to_parquet(
            directory / "readings.parquet", index=False
        )
    consortium = Consortium(home=home, data=data)
    _grants().write(consortium.compute.grants)
    with running(consortium, PARTIES) as started:
        yield started


@pytest.fixture
def scheduler(four: Consortium) -> Iterator[Scheduler]:
    with four.scheduler(grants=_grants()) as opened:
        yield opened


def _column(four: Consortium, dataset: str) -> np.ndarray[Any, Any]:
    if dataset == "counts":
        frames = [pd.read_csv(four.data[p] / "counts.csv")["amount"] for p in PARTIES]
    else:
        frames = [pd.read_parquet(four.data[p] / "readings.parquet")["reading"] for p in PARTIES]
    return pd.concat(frames).to_numpy()


def _spec(dataset: str, column: str, statistics: list[str], **limits: float) -> TaskSpec:
    return TaskSpec.model_validate(
        {
            "kind": "secure_stats",
            "inputs": [{"party": p, "dataset": dataset, "columns": [column]} for p in PARTIES],
            "receivers": [PARTIES[1], PARTIES[3]],
            "params": {"statistics": statistics, "bins": BINS},
            "limits": {"time_s": 300, "retries": 0, **limits},
        }
    )


def test_four_party_integer_stats_are_exact_over_two_to_the_17_values(
    four: Consortium, scheduler: Scheduler
) -> None:
    values = _column(four, "counts")
    exact_mean = Fraction(int(values.sum()), len(values))
    exact_variance = Fraction(int((values.astype(object) ** 2).sum()), len(values)) - exact_mean**2

    record = scheduler.run(_spec("counts", "amount", ["sum", "mean", "variance", "histogram"]))

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    assert result["protocol"] == "MPyC"
    assert result["count"] == len(values) >= 1 << 17
    assert result["rows_by_party"] == dict.fromkeys(PARTIES, ROWS)
    assert result["sum"] == int(values.sum())
    assert result["mean"] == float(exact_mean) > 0
    assert result["variance"] == float(exact_variance)
    assert result["histogram"] == np.histogram(values, bins=BINS)[0].tolist()
    assert set(record.metering) == set(PARTIES)


def test_four_party_float_mean_and_variance_are_within_the_fixed_point_tolerance(
    four: Consortium, scheduler: Scheduler
) -> None:
    values = _column(four, "readings")
    n = len(values)

    record = scheduler.run(_spec("readings", "reading", ["sum", "mean", "variance"]))

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    # each value is rounded to 40 fraction bits: |error| ≤ 2⁻⁴¹ per value
    assert result["sum"] == pytest.approx(values.sum(), abs=n * 2.0**-41 + 1e-9)
    assert result["mean"] == pytest.approx(values.mean(), abs=2.0**-40)
    assert result["mean"] > 36
    assert result["variance"] == pytest.approx(values.var(), rel=1e-9)


def test_only_the_asked_statistics_are_released(four: Consortium, scheduler: Scheduler) -> None:
    values = _column(four, "counts")

    record = scheduler.run(_spec("counts", "amount", ["variance"]))

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    assert set(result) == {"count", "rows_by_party", "variance", "protocol"}
    assert result["variance"] == pytest.approx(values.var(), rel=1e-12)


def test_steps_whose_fourth_party_never_comes_fail_at_the_limit_and_nodes_serve_on(
    four: Consortium, scheduler: Scheduler
) -> None:
    time_s = 12.0
    spec = _spec("counts", "amount", ["sum"], time_s=time_s)
    client = NodeClient(scheduler.identity, Directory.load(four.compute.directory))
    session = "absent-peer-1"
    links = [
        client.call(
            p,
            "link.prepare",
            task=spec,
            session=session,
            args={"rank": rank, "tls": True},
            timeout_s=30,
        )[0]
        for rank, p in enumerate(PARTIES)
    ]  # the last party is never asked to run: its port stays unserved
    addresses = [link["address"] for link in links]
    certificates = [link["certificate"] for link in links]
    errors: dict[str, BaseException | None] = {}

    def run(rank: int) -> None:
        args = {"parties": list(PARTIES), "addresses": addresses, "rank": rank,
                "certificates": certificates}  # fmt: skip
        try:
            client.call(PARTIES[rank], "stats.mpyc", task=spec, session=session, args=args,
                        timeout_s=3 * time_s)  # fmt: skip
            errors[PARTIES[rank]] = None
        except Exception as exc:
            errors[PARTIES[rank]] = exc

    threads = [threading.Thread(target=run, args=(rank,), daemon=True) for rank in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * time_s)

    assert not any(thread.is_alive() for thread in threads), "a step outlived its limit"
    assert all(isinstance(errors[p], TaskFailed) for p in PARTIES[:3]), errors
    for party in PARTIES:
        directory = Directory.load(four.compute.directory)
        address, tls = directory.node_address(party), node_tls_context(directory, party)
        assert httpx.get(address + "/v1/health", timeout=5, verify=tls).json()["status"] == "ok"
    retry = scheduler.run(_spec("counts", "amount", ["sum"]))
    assert retry.state == "succeeded", retry.error
