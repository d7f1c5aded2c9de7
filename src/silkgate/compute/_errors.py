"""Errors of the privacy-computing framework.

SilkgateError
├── InvalidInput (domain)
│   └── TaskRefused         validated and refused: no grant, unknown input, limit exceeded
│       └── BudgetExhausted the dataset's privacy budget cannot pay for the query
├── AccessDenied (domain)   a node refuses an operation (raw rows never leave it)
│   └── Unauthenticated     unsigned request, unknown key or bad signature
└── ComputeError            ours or the environment's: the task could not run
    ├── NodeUnavailable     a party node did not answer (down, killed, unreachable)
    └── TaskFailed          an engine step failed at a node
"""

from __future__ import annotations

from silkgate.domain import InvalidInput, SilkgateError


class TaskRefused(InvalidInput):
    """The task was evaluated and refused; the message names the rule it broke."""


class BudgetExhausted(TaskRefused):
    """A differential-privacy query would spend more ε than the dataset has left."""


class ComputeError(SilkgateError):
    """A task could not run to the end (not a refusal)."""


class NodeUnavailable(ComputeError):
    """A party node did not answer in time or at all."""

    def __init__(self, message: str, *, party: str) -> None:
        super().__init__(message, field=None)
        self.party = party


class TaskFailed(ComputeError):
    """An engine step failed at a node; the message is the node's one-line reason."""
