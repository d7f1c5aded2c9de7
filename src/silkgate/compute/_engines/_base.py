"""The seam between the framework and its engines.

An engine is content: it checks a task's parameters, names the operations a node runs
for it (``operations``), and coordinates a task from the scheduler's side (``run``)
through a ``Cluster`` that carries signed calls to the parties' nodes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from silkgate.compute._budget import PrivacyBudgets
    from silkgate.compute._metering import Meter
    from silkgate.compute._sources import DataSource
    from silkgate.compute._spec import TaskKind, TaskSpec

Json = dict[str, Any]


@dataclass(slots=True)
class StepContext:
    """What an operation may use inside a node: its own data, budgets, a private workdir."""

    party: str
    task: TaskSpec
    session: str
    source: DataSource
    budgets: PrivacyBudgets
    workdir: Path
    meter: Meter
    host: str
    log: logging.Logger
    memory: dict[str, Any] = field(default_factory=dict)
    """State an engine keeps at this node between operations of one task (e.g. a secret key)."""


Operation = Callable[[StepContext, Json], Json]


@dataclass(frozen=True, slots=True)
class Isolated:
    """An operation the node runs in a child process of its own (see `_isolation`).

    For steps in native code that may end the process or block past any timeout when a
    peer dies (spu's PSI and MPC over a brpc link). The function runs in the child with
    a fresh ``StepContext`` whose ``memory`` is empty and is not kept: it must not rely
    on state between operations. Its arguments and result must be JSON.
    """

    function: Operation

    def __call__(self, ctx: StepContext, args: Json) -> Json:
        return self.function(ctx, args)


class Cluster(Protocol):
    """The scheduler's handle on the nodes of one task attempt."""

    session: str

    def call(self, party: str, op: str, args: Json) -> Json: ...

    def call_all(self, calls: Sequence[tuple[str, str, Json]]) -> list[Json]: ...

    def result_of(self, task_id: str) -> Json: ...


class Engine(Protocol):
    @property
    def kind(self) -> TaskKind: ...

    def check(self, task: TaskSpec) -> None:
        """Raise ValueError naming what is wrong with the task's shape or parameters."""

    def operations(self) -> Mapping[str, Operation]:
        """The operations nodes run for this engine, by name."""

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        """Coordinate the task from the scheduler; return what the receivers get."""
