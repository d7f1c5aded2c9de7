"""A DP statistic over a PSI intersection that only the input nodes hold (``keep``/``within``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from silkgate.compute import Directory, Scheduler, TaskSpec
from silkgate.compute._client import NodeClient
from silkgate.compute._records import TaskRecord

from .conftest import Consortium, all_grants

pytestmark = [pytest.mark.multiprocess]

CN, SG = "cn-gxic", "sg-lionhealth"


def _psi(task_id: str, *, keep: bool, time_s: float = 60) -> TaskSpec:
    params: dict[str, Any] = {"output": "cardinality"} | ({"keep": True} if keep else {})
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": "psi",
            "inputs": [
                {"party": CN, "dataset": "cn-customers", "columns": ["customer"]},
                {"party": SG, "dataset": "sg-customers", "columns": ["customer"]},
            ],
            "receivers": [SG],
            "params": params,
            "limits": {"time_s": time_s, "retries": 0},
        }
    )


def _count_within(task_id: str, psi_task: str, *, party: str = SG, dataset: str = "sg-customers",
                  column: str = "customer") -> TaskSpec:  # fmt: skip
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": "dp_query",
            "inputs": [{"party": party, "dataset": dataset, "columns": [column]}],
            "receivers": [CN],
            "privacy": {"epsilon": 1.0},
            "params": {"statistic": "count", "within": {"task": psi_task, "column": column}},
            "limits": {"time_s": 60},
        }
    )


@pytest.fixture(scope="module")
def kept(consortium: Consortium) -> TaskRecord:
    with consortium.scheduler(grants=all_grants()) as scheduler:
        return scheduler.run(_psi("kept-psi", keep=True))


def test_kept_psi_releases_only_the_count(kept: TaskRecord) -> None:
    assert kept.state == "succeeded", kept.error
    assert kept.result == {
        "count": 100,
        "receivers": [SG],
        "protocol": "rr22",
        "kept_at": [CN, SG],
    }


@pytest.mark.parametrize(
    ("party", "dataset", "rows_within", "rows_all"),
    [
        pytest.param(SG, "sg-customers", 102, 302, id="sg-two-keys-listed-twice"),
        pytest.param(CN, "cn-customers", 100, 300, id="cn"),
    ],
)
def test_dp_count_within_the_kept_intersection_is_within_its_bound_of_the_true_count(
    consortium: Consortium,
    scheduler: Scheduler,
    kept: TaskRecord,
    party: str,
    dataset: str,
    rows_within: int,
    rows_all: int,
) -> None:
    spec = _count_within(f"dp-within-{party}", kept.id, party=party, dataset=dataset)
    receiver = SG if party == CN else CN
    spec = spec.model_copy(update={"receivers": (receiver,)})

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    result = record.result
    assert result is not None
    bound = result["accuracy"]["bound"]
    # the stated bound holds with probability 1 - alpha (0.95); three times it, all but surely
    assert abs(result["value"] - rows_within) <= 3 * bound
    assert abs(result["value"] - rows_all) > 3 * bound
    assert result["epsilon"] == 1.0


def test_dp_mean_within_the_kept_intersection_is_close(
    consortium: Consortium, scheduler: Scheduler, kept: TaskRecord
) -> None:
    frame = pd.read_parquet(consortium.data[SG] / "sg-customers.parquet")
    cn = set(pd.read_csv(consortium.data[CN] / "cn-customers.csv")["customer"])
    inside = frame[frame["customer"].isin(cn)]["amount"]
    spec = TaskSpec.model_validate(
        {
            "kind": "dp_query",
            "inputs": [{"party": SG, "dataset": "sg-customers", "columns": ["amount"]}],
            "receivers": [CN],
            "privacy": {"epsilon": 5.0},
            "params": {"statistic": "mean", "bounds": [0, 100],
                       "within": {"task": kept.id, "column": "customer"}},
        }
    )  # fmt: skip

    record = scheduler.run(spec)

    assert record.state == "succeeded", record.error
    assert record.result is not None
    assert record.result["noisy_count"] == pytest.approx(len(inside), abs=10)
    assert record.result["value"] == pytest.approx(inside.mean(), abs=10)


def test_node_refuses_within_a_psi_task_that_did_not_read_the_dataset(
    scheduler: Scheduler, kept: TaskRecord
) -> None:
    spec = _count_within("dp-within-other-dataset", kept.id, dataset="sg-claims",
                         column="claim_type")  # fmt: skip
    budget_before = _epsilon_left(scheduler, "sg-claims")

    record = scheduler.run(spec)

    assert record.state == "failed"
    assert "did not involve dataset 'sg-claims'" in (record.error or "")
    assert _epsilon_left(scheduler, "sg-claims") == budget_before


def test_node_refuses_within_a_column_the_psi_did_not_match(
    scheduler: Scheduler, kept: TaskRecord
) -> None:
    record = scheduler.run(_count_within("dp-within-other-column", kept.id, column="amount"))

    assert record.state == "failed"
    assert "not 'amount'" in (record.error or "")


@pytest.mark.parametrize(
    "psi",
    [
        pytest.param(None, id="unknown-task"),
        pytest.param(_psi("psi-not-kept", keep=False), id="psi-without-keep"),
        # 0.15 s: time to be allocated, far too little for the two PSI steps (link + protocol)
        pytest.param(_psi("psi-timed-out", keep=True, time_s=0.15), id="psi-failed"),
    ],
)
def test_node_refuses_within_a_psi_task_it_keeps_no_intersection_of(
    scheduler: Scheduler, psi: TaskSpec | None
) -> None:
    psi_task = "psi-never-run"
    if psi is not None:
        ran = scheduler.run(psi)
        psi_task = ran.id
        assert ran.state == ("succeeded" if psi.id == "psi-not-kept" else "failed"), ran.error

    record = scheduler.run(_count_within(f"dp-within-{psi_task}", psi_task))

    assert record.state == "failed"
    assert f"keeps no intersection of psi task {psi_task!r}" in (record.error or "")


def test_keep_needs_cardinality_output() -> None:
    spec = _psi("keep-with-intersection", keep=True).model_dump(mode="json")
    spec["params"]["output"] = "intersection"

    with pytest.raises(ValueError, match="releases only its size"):
        TaskSpec.model_validate(spec)


def _epsilon_left(scheduler: Scheduler, dataset: str) -> float:
    probe = TaskSpec.model_validate(
        {
            "kind": "dp_query",
            "inputs": [{"party": SG, "dataset": dataset, "columns": ["amount"]}],
            "receivers": [SG],
            "privacy": {"epsilon": 1.0},
            "params": {"statistic": "count"},
        }
    )
    client = NodeClient(scheduler.identity, Directory.load(scheduler.directory_path))
    (budget,) = client.call(SG, "node.budget", task=probe, session="probe", args={},
                            timeout_s=30)[0]["budgets"]  # fmt: skip
    return float(budget["epsilon_left"])
