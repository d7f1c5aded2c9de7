"""Unbalanced PSI: a small client set against a large server set, the server's cache kept."""

from __future__ import annotations

import pandas as pd
import pytest

from silkgate.compute import Scheduler, TaskSpec

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]

SERVER, CLIENT = "cn-gxic", "sg-lionhealth"
LARGE, SMALL = 100_000, 200


def _datasets(consortium: Consortium) -> list[str]:
    large = [f"id{i:06d}" for i in range(LARGE)]
    small = [f"id{i * 997:06d}" for i in range(SMALL)]  # 101 of them below 100,000
    pd.DataFrame({"key": large}).to_csv(consortium.data[SERVER] / "ub-large.csv", index=False)
    pd.DataFrame({"id": small}).to_parquet(consortium.data[CLIENT] / "ub-small.parquet")
    return sorted(set(large) & set(small))


def _ub(task_id: str) -> TaskSpec:
    return TaskSpec.model_validate(
        {
            "id": task_id,
            "kind": "psi",
            "inputs": [
                {"party": CLIENT, "dataset": "ub-small", "columns": ["id"]},
                {"party": SERVER, "dataset": "ub-large", "columns": ["key"]},
            ],
            "receivers": [CLIENT],
            "roles": {SERVER: "server"},
            "params": {"protocol": "ub"},
            # A ub-PSI attempt rarely hangs in spu at the client's start of the cache transfer
            # (docs/compute.md, Limitations); as for users, the retry then serves.
            "limits": {"time_s": 90, "retries": 1},
        }
    )


def test_ub_psi_of_200_against_100000_equals_the_plaintext_intersection_and_reuses_the_cache(
    consortium: Consortium, scheduler: Scheduler
) -> None:
    expected = _datasets(consortium)

    first = scheduler.run(_ub("ub-psi-first"))
    second = scheduler.run(_ub("ub-psi-second"))

    for record in (first, second):
        assert record.state == "succeeded", record.error
        assert record.result is not None
        assert record.result["protocol"] == "ub"
        assert record.result["intersection"] == expected
        assert record.result["count"] == len(expected) == 101
    caches = consortium.compute.node_state(SERVER) / "ub-psi" / "ub-large"
    (cache,) = [c for c in caches.iterdir() if not c.name.startswith(".")]
    assert (cache / "ready").is_file()
    engine_log = (consortium.compute.node_state(SERVER) / "engine.log").read_text(errors="replace")
    assert "ub psi ub-psi-first: offline cache of 100000 keys made" in engine_log
    assert "ub psi ub-psi-second: reusing the offline cache of ub-large" in engine_log


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"roles": {}}, "ub psi needs roles", id="no-server"),
        pytest.param({"receivers": [SERVER]}, "client party only", id="server-receives"),
        pytest.param(
            {"params": {"protocol": "ub", "keep": True, "output": "cardinality"}},
            "keep is not available with ub",
            id="keep",
        ),
    ],
)
def test_ub_psi_specs_that_cannot_hold_are_refused(change: dict[str, object], message: str) -> None:
    spec = _ub("ub-refused").model_dump(mode="json") | change

    with pytest.raises(ValueError, match=message):
        TaskSpec.model_validate(spec)
