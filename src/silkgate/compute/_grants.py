"""Grants: may a party receive the result of a computation over someone's dataset?

The consortium ledger will answer this (ABAC contracts); until it is wired in,
`StaticGrants` is an allow-list read from a file, for tests and local installations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from pydantic import Field, ValidationError

from silkgate.compute._spec import TaskKind
from silkgate.domain import DomainModel, InvalidInput


class Grant(DomainModel):
    """``grantee`` may receive results of ``kinds`` computed over ``dataset``."""

    grantee: str
    dataset: str
    kinds: frozenset[TaskKind] = Field(min_length=1)


class GrantChecker(Protocol):
    """The question the scheduler and every node ask before a dataset takes part in a task."""

    def allows(self, *, grantee: str, dataset: str, kind: TaskKind) -> bool: ...


class StaticGrants:
    """An allow-list of grants held in memory (or a JSON file): local use and tests only."""

    def __init__(self, grants: Iterable[Grant] = ()) -> None:
        self._grants = tuple(grants)

    @classmethod
    def from_file(cls, path: Path) -> StaticGrants:
        """Read ``[{"grantee": ..., "dataset": ..., "kinds": [...]}, ...]``; no file, no grants."""
        if not path.is_file():
            return cls()
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            return cls(Grant.model_validate(e) for e in entries)
        except (json.JSONDecodeError, ValidationError, TypeError) as exc:
            raise InvalidInput(f"{path}: not a list of grants ({exc})", field="grants") from None

    def write(self, path: Path) -> None:
        payload = [g.model_dump(mode="json") for g in self._grants]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)

    def allows(self, *, grantee: str, dataset: str, kind: TaskKind) -> bool:
        return any(
            g.grantee == grantee and g.dataset == dataset and kind in g.kinds for g in self._grants
        )

    def __iter__(self) -> Iterator[Grant]:
        return iter(self._grants)
