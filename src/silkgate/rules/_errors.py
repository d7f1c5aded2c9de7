"""The exceptions of silkgate.rules.

SilkgateError
├── InvalidInput
│   └── RulebookError      a rulebook file is wrong (bad YAML, field, CEL, duplicate id):
│                          names the file and the clause; the author must fix it (exit 2)
└── RulesError             ours: a loaded rulebook could not be applied (exit 1)
    └── EvaluationError    a clause's condition could not be evaluated on a request
"""

from __future__ import annotations

from silkgate.domain import InvalidInput, SilkgateError


class RulebookError(InvalidInput):
    """A rulebook is invalid; ``.path`` names the file and ``.clause`` the clause id if any."""

    def __init__(self, message: str, *, path: str, clause: str | None = None) -> None:
        where = f"{path}: clause {clause}" if clause else path
        super().__init__(f"{where}: {message}", field=None)
        self.path = path
        self.clause = clause


class RulesError(SilkgateError):
    """Root of the errors silkgate.rules raises that are not the caller's fault."""


class EvaluationError(RulesError):
    """A clause's condition could not be evaluated: could not evaluate, not evaluated-false."""

    def __init__(self, message: str, *, clause: str) -> None:
        super().__init__(f"clause {clause}: {message}")
        self.clause = clause
