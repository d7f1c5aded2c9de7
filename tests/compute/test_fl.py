"""`fl_train`: Flower's deployment engine across three real nodes, SecAgg+, optional DP."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import psutil
import pytest
from pydantic import ValidationError
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from silkgate.compute import Scheduler, TaskSpec

from .conftest import PARTIES, Consortium

FEATURES = ("age", "income", "tenure", "visits")
DATASETS = {"cn-gxic": "cn-fl", "sg-lionhealth": "sg-fl", "th-siampay": "th-fl"}
FLOWER_COMMANDS = ("flower-superlink", "flower-supernode", "flower-superexec", "flwr-")


def _rows(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """A known linear rule plus noise: learnable, not separable (about 93 % accuracy)."""
    scales = np.array([10.0, 1000.0, 2.0, 1.0])  # raw units differ: standardising matters
    z = rng.normal(0.0, 1.0, size=(n, len(FEATURES)))
    logit = z @ [1.5, -2.0, 1.0, 0.5] + rng.normal(0.0, 0.6, n)
    frame = pd.DataFrame(z * scales + [40.0, 3000.0, 5.0, 2.0], columns=list(FEATURES))
    frame["churned"] = (logit > 0).astype(int)
    return frame


@pytest.fixture(scope="module")
def fl_data(consortium: Consortium) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    frames = {p: _rows(rng, 400) for p in PARTIES}
    for party, frame in frames.items():
        frame.to_csv(consortium.data[party] / f"{DATASETS[party]}.csv", index=False)
    return frames


def _spec(params: dict[str, object], **extra: object) -> TaskSpec:
    return TaskSpec.model_validate(
        {
            "kind": "fl_train",
            "inputs": [
                {"party": p, "dataset": DATASETS[p], "columns": [*FEATURES, "churned"]}
                for p in PARTIES
            ],
            "receivers": ["sg-lionhealth"],
            "params": {"label": "churned"} | params,
            "limits": {"time_s": 420, "retries": 0},
            **extra,
        }
    )


def _flower_processes_since(started: float) -> list[str]:
    found = []
    for proc in psutil.process_iter(["cmdline", "create_time", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["status"] == psutil.STATUS_ZOMBIE or proc.info["create_time"] < started:
            continue
        if any(c in cmdline for c in FLOWER_COMMANDS):
            found.append(cmdline)
    return found


def _flower_processes_left(started: float, *, within_s: float = 30.0) -> list[str]:
    """Flower processes started since ``started`` still there after ``within_s`` at most."""
    deadline = time.monotonic() + within_s
    while (found := _flower_processes_since(started)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


@pytest.fixture
def started() -> float:
    return time.time() - 1


@pytest.mark.multiprocess
@pytest.mark.slow
def test_federated_logreg_matches_central_training_under_secagg_plus(
    scheduler: Scheduler, fl_data: dict[str, pd.DataFrame], started: float
) -> None:
    union = pd.concat(fl_data.values())
    x = StandardScaler().fit_transform(union[list(FEATURES)])
    central = LogisticRegression().fit(x, union["churned"]).score(x, union["churned"])
    spec = _spec({"model": "logreg", "rounds": 3, "epochs": 3, "lr": 0.1})

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    final = result["evaluation"][-1]
    # Held-out rows: 3 × 80; one standard error of an accuracy near 0.9 is about 0.02, and
    # each party standardises with its own statistics: within 0.05 of the central model.
    assert final["accuracy"] >= central - 0.05
    assert final["log_loss"] < 0.45
    assert [r["round"] for r in result["train_loss"]] == [1, 2, 3]
    assert result["train_loss"][-1]["loss"] < result["train_loss"][0]["loss"]
    weights, bias = result["parameters"]
    assert np.shape(weights) == (1, len(FEATURES))
    assert np.shape(bias) == (1,)
    assert result["rows_train"] + result["rows_test"] == len(union)
    secagg = result["secure_aggregation"]
    assert secagg["workflow"] == "SecAggPlusWorkflow"
    assert len(secagg["rounds"]) == 3
    assert all(r["unmasked"] == 3 and r["sampled"] == 3 for r in secagg["rounds"])
    assert all(c["share"] == 1.0 for c in secagg["clients_masked"])  # seen by the clients
    assert result["runtime"]["engine"] == "flower-deployment"
    assert set(record.metering) == set(PARTIES)
    assert all(m.rows == 400 and m.cpu_s > 0 for m in record.metering.values())
    assert _flower_processes_left(started) == []


@pytest.mark.multiprocess
@pytest.mark.slow
def test_federated_mlp_with_dp_charges_every_party_budget(
    scheduler: Scheduler, fl_data: dict[str, pd.DataFrame], started: float
) -> None:
    spec = _spec(
        {"model": "mlp", "hidden": 8, "rounds": 2, "epochs": 2, "clipping_norm": 2.0},
        privacy={"epsilon": 4.0, "delta": 1e-7},  # nodes allow δ = 1e-6
    )

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    assert result["strategy"] == "DifferentialPrivacyClientSideFixedClipping"
    assert result["privacy"]["noise_multiplier"] > 0
    assert len(result["parameters"]) == 4  # two layers: weights and biases
    budgets = {b["party"]: b["epsilon_left"] for b in result["budgets"]}
    assert budgets == {p: pytest.approx(10.0 - 4.0) for p in PARTIES}
    refused = scheduler.run(_spec({"rounds": 1}, privacy={"epsilon": 7.0, "delta": 1e-7}))
    assert refused.state == "failed"
    assert "BudgetExhausted" in (refused.error or "")
    assert "ε=6 left" in (refused.error or "")
    assert _flower_processes_left(started) == []


@pytest.mark.multiprocess
def test_a_label_that_is_not_binary_fails_at_the_node_with_its_name(
    scheduler: Scheduler, fl_data: dict[str, pd.DataFrame], started: float
) -> None:
    spec = _spec({"label": "visits", "rounds": 1})

    record = scheduler.run(spec)

    assert record.state == "failed"
    assert "label 'visits'" in (record.error or "")
    assert _flower_processes_left(started) == []


@pytest.mark.multiprocess
@pytest.mark.slow
def test_cancelling_a_running_task_stops_every_flower_process(
    scheduler: Scheduler, fl_data: dict[str, pd.DataFrame], started: float
) -> None:
    record = scheduler.submit(_spec({"rounds": 20}))
    deadline = time.monotonic() + 180
    while sum("flower-supernode" in c for c in _flower_processes_since(started)) < len(PARTIES):
        assert time.monotonic() < deadline, "the SuperNodes did not start"
        time.sleep(0.5)

    cancelled = scheduler.cancel(record.id)

    assert cancelled.state == "cancelled"
    assert _flower_processes_left(started) == []


@pytest.mark.parametrize(
    ("params", "extra", "message"),
    [
        pytest.param({"model": "forest"}, {}, "model", id="unknown-model"),
        pytest.param({"label": "nope"}, {}, "label 'nope' is not among", id="label-missing"),
        pytest.param({"rounds": 0}, {}, "rounds", id="no-rounds"),
        pytest.param({"lr": -1}, {}, "lr", id="negative-lr"),
        pytest.param({"momentum": 0.9}, {}, "momentum", id="unknown-param"),
        pytest.param({}, {"privacy": {"epsilon": 1.0}}, "privacy.delta > 0", id="dp-without-delta"),
    ],
)
def test_invalid_params_are_refused_naming_what_is_wrong(
    params: dict[str, object], extra: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(params, **extra)


def test_inputs_with_different_columns_are_refused() -> None:
    with pytest.raises(ValidationError, match="same columns"):
        TaskSpec.model_validate(
            {
                "kind": "fl_train",
                "inputs": [
                    {"party": "cn-gxic", "dataset": "cn-fl", "columns": ["age", "churned"]},
                    {"party": "th-siampay", "dataset": "th-fl", "columns": ["income", "churned"]},
                ],
                "receivers": ["cn-gxic"],
                "params": {"label": "churned"},
            }
        )
