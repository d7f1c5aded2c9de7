"""Every kind's result equals the plaintext computation (within tolerance where approximate)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np
import pandas as pd
import pytest

from silkgate.compute import Scheduler, TaskSpec

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess]


def _amounts(consortium: Consortium) -> dict[str, np.ndarray]:
    with closing(sqlite3.connect(consortium.data["th-siampay"] / "payments.sqlite")) as db:
        th = pd.read_sql_query('SELECT amount FROM "th-amounts"', db)["amount"]
    return {
        "cn-gxic": pd.read_csv(consortium.data["cn-gxic"] / "cn-amounts.csv")["amount"].to_numpy(),
        "sg-lionhealth": pd.read_csv(consortium.data["sg-lionhealth"] / "sg-amounts.csv")[
            "amount"
        ].to_numpy(),
        "th-siampay": th.to_numpy(),
    }


_AMOUNT_INPUTS = {
    "cn-gxic": {"party": "cn-gxic", "dataset": "cn-amounts", "columns": ["amount"]},
    "sg-lionhealth": {"party": "sg-lionhealth", "dataset": "sg-amounts", "columns": ["amount"]},
    "th-siampay": {"party": "th-siampay", "dataset": "th-amounts", "columns": ["amount"]},
}


@pytest.mark.parametrize(
    ("parties", "protocol"),
    [
        pytest.param(["cn-gxic", "sg-lionhealth"], "SEMI2K", id="two-parties-semi2k"),
        pytest.param(["cn-gxic", "sg-lionhealth", "th-siampay"], "ABY3", id="three-parties-aby3"),
    ],
)
def test_secure_stats_equal_plaintext(
    consortium: Consortium, scheduler: Scheduler, parties: list[str], protocol: str
) -> None:
    values = np.concatenate([_amounts(consortium)[p] for p in parties]).astype(float)
    bins = [0, 250, 500, 750, 1000]
    spec = TaskSpec.model_validate(
        {
            "kind": "secure_stats",
            "inputs": [_AMOUNT_INPUTS[p] for p in parties],
            "receivers": [parties[0]],
            "params": {"statistics": ["sum", "mean", "variance", "histogram"], "bins": bins},
            "limits": {"time_s": 120},
        }
    )

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    assert result["protocol"] == protocol
    assert result["sum"] == int(values.sum())  # exact: integer ring arithmetic
    assert result["count"] == len(values)
    assert result["mean"] == pytest.approx(values.mean(), abs=1e-3)
    assert result["variance"] == pytest.approx(values.var(), rel=1e-3)
    assert result["histogram"] == np.histogram(values, bins=bins)[0].tolist()


@pytest.mark.parametrize("op", ["sum", "weighted_sum"])
def test_he_aggregate_matches_plaintext_within_ckks_tolerance(
    consortium: Consortium, scheduler: Scheduler, op: str
) -> None:
    files = {"cn-gxic": "cn-vectors", "sg-lionhealth": "sg-vectors", "th-siampay": "th-vectors"}
    weights = {"cn-gxic": 0.5, "sg-lionhealth": 0.3, "th-siampay": 0.2}
    frames = {p: pd.read_csv(consortium.data[p] / f"{d}.csv") for p, d in files.items()}
    factor = {p: (weights[p] if op == "weighted_sum" else 1.0) for p in files}
    expected = sum(factor[p] * frames[p]["x"].to_numpy() for p in files)
    spec = TaskSpec.model_validate(
        {
            "kind": "he_aggregate",
            "inputs": [{"party": p, "dataset": d, "columns": ["x"]} for p, d in files.items()],
            "receivers": ["sg-lionhealth"],
            "params": {"op": op, "vector": "values", "weights": weights if op != "sum" else {}},
        }
    )

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    assert record.result is not None
    assert np.allclose(record.result["values"], expected, atol=1e-4)


def test_he_column_sums(consortium: Consortium, scheduler: Scheduler) -> None:
    files = {"cn-gxic": "cn-vectors", "th-siampay": "th-vectors"}
    expected = sum(pd.read_csv(consortium.data[p] / f"{d}.csv")[["x", "y"]].sum().to_numpy()
                   for p, d in files.items())  # fmt: skip
    spec = TaskSpec.model_validate(
        {
            "kind": "he_aggregate",
            "inputs": [{"party": p, "dataset": d, "columns": ["x", "y"]} for p, d in files.items()],
            "receivers": ["cn-gxic"],
        }
    )

    record = scheduler.run(spec)

    assert record.result is not None, record.error
    assert np.allclose(record.result["values"], expected, atol=1e-3)


def _dp(
    statistic: str, epsilon: float = 1.0, dataset: str = "sg-claims", **params: object
) -> TaskSpec:
    column = "claim_type" if statistic == "histogram" else "amount"
    return TaskSpec.model_validate(
        {
            "kind": "dp_query",
            "inputs": [{"party": "sg-lionhealth", "dataset": dataset, "columns": [column]}],
            "receivers": ["cn-gxic"],
            "privacy": {"epsilon": epsilon},
            "params": {"statistic": statistic, **params},
        }
    )


@pytest.mark.parametrize(
    ("statistic", "params"),
    [
        pytest.param("count", {}, id="count"),
        pytest.param("sum", {"bounds": [0, 500]}, id="sum"),
        pytest.param("histogram", {"categories": ["Dental", "Inpatient", "Outpatient"]}, id="hist"),
    ],
)
def test_dp_error_stays_within_stated_bound_over_repeated_runs(
    consortium: Consortium, scheduler: Scheduler, statistic: str, params: dict[str, object]
) -> None:
    claims = pd.read_csv(consortium.data["sg-lionhealth"] / "sg-claims.csv")
    truth: object = {
        "count": len(claims),
        "sum": claims["amount"].clip(0, 500).sum(),
        "histogram": claims["claim_type"].value_counts().to_dict(),
    }[statistic]
    runs, within = 20, 0
    for _ in range(runs):
        record = scheduler.run(_dp(statistic, **params))
        assert record.result is not None, record.error
        bound = record.result["accuracy"]["bound"]
        value = record.result["value"]
        if statistic == "histogram":
            assert isinstance(truth, dict)
            errors = [abs(value[k] - truth[k]) for k in truth]
        else:
            errors = [abs(value - truth)]  # type: ignore[operator]
        within += all(e <= bound for e in errors)
    # alpha = 0.05 per value: at least 14 of 20 runs within (p of fewer is below 1e-3)
    assert within >= 14


def test_dp_counts_are_never_released_below_zero(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    # "Veterinary" never occurs: at ε = 0.1 the noise (scale 10) would put it below 0 in
    # about half the runs if bins were released raw.
    categories = ["Dental", "Veterinary"]
    released = []
    for _ in range(12):
        record = scheduler.run(_dp("histogram", epsilon=0.1, categories=categories))
        assert record.result is not None, record.error
        released.append(record.result["value"]["Veterinary"])

    assert min(released) == 0
    assert all(isinstance(v, int) and v >= 0 for v in released)


def test_dp_mean_and_quantile_are_close(consortium: Consortium, scheduler: Scheduler) -> None:
    claims = pd.read_csv(consortium.data["sg-lionhealth"] / "sg-claims.csv")["amount"]

    mean = scheduler.run(_dp("mean", epsilon=2.0, bounds=[0, 500]))
    median = scheduler.run(_dp("quantiles", epsilon=2.0, bounds=[0, 500], quantiles=[0.5]))

    assert mean.result is not None
    assert median.result is not None
    assert mean.result["value"] == pytest.approx(claims.mean(), abs=10)
    assert median.result["value"]["0.5"] == pytest.approx(claims.median(), abs=25)


def test_dp_over_psi_intersection(consortium: Consortium, scheduler: Scheduler) -> None:
    psi = scheduler.run(
        TaskSpec.model_validate(
            {
                "kind": "psi",
                "inputs": [
                    {"party": "cn-gxic", "dataset": "cn-customers", "columns": ["customer"]},
                    {"party": "sg-lionhealth", "dataset": "sg-customers", "columns": ["customer"]},
                ],
                "receivers": ["sg-lionhealth", "cn-gxic"],
            }
        )
    )
    assert psi.state == "succeeded", psi.error
    spec = TaskSpec.model_validate(
        {
            "kind": "dp_query",
            "inputs": [
                {"party": "sg-lionhealth", "dataset": "sg-customers", "columns": ["amount"]}
            ],
            "receivers": ["cn-gxic"],
            "privacy": {"epsilon": 1.0},
            "params": {"statistic": "count",
                       "restrict": {"column": "customer", "keys_from_task": psi.id}},
        }
    )  # fmt: skip

    record = scheduler.run(spec)

    assert record.result is not None, record.error
    # 100 common customers, two of them listed twice at sg
    assert abs(record.result["value"] - 102) <= 3 * record.result["accuracy"]["bound"]
