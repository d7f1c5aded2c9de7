"""`fl_train`: federated training across the parties' nodes (not available yet).

The engine is to run Flower's deployment engine (a SuperLink beside the scheduler, one
SuperNode per party node, SecAgg+ secure aggregation, optional DP) for logistic
regression or a small MLP. Until it lands, the kind is accepted by the task schema and
refused at validation with that message, so no task is half-run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from silkgate.compute._engines._base import Cluster, Json, Operation
from silkgate.compute._spec import TaskSpec


class FlEngine:
    kind: Final = "fl_train"

    def check(self, task: TaskSpec) -> None:
        raise ValueError("fl_train (Flower deployment engine with SecAgg+) is not available yet")

    def operations(self) -> Mapping[str, Operation]:
        return {}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        raise ValueError("fl_train is not available yet")
