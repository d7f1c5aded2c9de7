from __future__ import annotations

import pandas as pd
import pytest

from silkgate.compute import Scheduler, TaskSpec

from .conftest import Consortium

pytestmark = [pytest.mark.multiprocess]


def _psi(protocol: str, **params: object) -> TaskSpec:
    return TaskSpec.model_validate(
        {
            "kind": "psi",
            "inputs": [
                {"party": "cn-gxic", "dataset": "cn-customers", "columns": ["customer"]},
                {"party": "sg-lionhealth", "dataset": "sg-customers", "columns": ["customer"]},
            ],
            "receivers": ["cn-gxic"],
            "params": {"protocol": protocol, **params},
            "limits": {"time_s": 60},
        }
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"protocol": "rr22"}, id="rr22"),
        pytest.param({"protocol": "kkrt"}, id="kkrt"),
        pytest.param({"protocol": "ecdh", "curve": "fourq"}, id="ecdh-fourq"),
    ],
)
def test_psi_intersection_equals_plaintext(
    consortium: Consortium, scheduler: Scheduler, params: dict[str, object]
) -> None:
    cn = pd.read_csv(consortium.data["cn-gxic"] / "cn-customers.csv")["customer"]
    sg = pd.read_parquet(consortium.data["sg-lionhealth"] / "sg-customers.parquet")["customer"]
    expected = sorted(set(cn) & set(sg))

    record = scheduler.run(_psi(**params))  # type: ignore[arg-type]

    assert record.state == "succeeded", record.error
    assert record.result is not None
    assert record.result["intersection"] == expected
    assert record.result["count"] == len(expected) == 100
    assert set(record.metering) == {"cn-gxic", "sg-lionhealth"}
    assert record.metering["cn-gxic"].rows == 300
