"""Privacy computing: party nodes, task specs, the scheduler, engines (PSI, MPC, HE, DP, FL).

Data is computed on where it lives: each party runs a `Node` over its datasets; a
`Scheduler` validates a `TaskSpec`, allocates it to the nodes and meters what each spent.
"""

from silkgate.compute._budget import Budget, PrivacyBudgets
from silkgate.compute._engines._base import Cluster, Engine, StepContext
from silkgate.compute._errors import (
    BudgetExhausted,
    ComputeError,
    NodeUnavailable,
    TaskFailed,
    TaskRefused,
)
from silkgate.compute._grants import Grant, GrantChecker, StaticGrants
from silkgate.compute._home import ComputeHome, run_node
from silkgate.compute._identity import Directory, Identity, Principal, Verifier
from silkgate.compute._metering import Metering
from silkgate.compute._node import Node
from silkgate.compute._records import TaskRecord
from silkgate.compute._scheduler import Scheduler
from silkgate.compute._sources import DatasetInfo, DataSource
from silkgate.compute._spec import (
    TASK_KINDS,
    Limits,
    Privacy,
    TaskInput,
    TaskKind,
    TaskSpec,
    TaskState,
)
from silkgate.compute._tls import node_tls_context

__all__ = [
    "TASK_KINDS",
    "Budget",
    "BudgetExhausted",
    "Cluster",
    "ComputeError",
    "ComputeHome",
    "DataSource",
    "DatasetInfo",
    "Directory",
    "Engine",
    "Grant",
    "GrantChecker",
    "Identity",
    "Limits",
    "Metering",
    "Node",
    "NodeUnavailable",
    "Principal",
    "Privacy",
    "PrivacyBudgets",
    "Scheduler",
    "StaticGrants",
    "StepContext",
    "TaskFailed",
    "TaskInput",
    "TaskKind",
    "TaskRecord",
    "TaskRefused",
    "TaskSpec",
    "TaskState",
    "Verifier",
    "node_tls_context",
    "run_node",
]
