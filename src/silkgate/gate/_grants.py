"""Grants for privacy computing, answered by the consortium ledger.

Implements ``silkgate.compute.GrantChecker``: ``grantee`` may receive results of a task of
``kind`` over ``dataset`` when the committing peer holds an active, unexpired grant on it
to a member of ``grantee`` with the task kind's scope (``TASK_SCOPES``).
"""

from __future__ import annotations

import datetime as dt

from silkgate.compute import TaskKind
from silkgate.exchange import TASK_SCOPES, LedgerLink


class LedgerGrants:
    def __init__(self, ledger: LedgerLink) -> None:
        self._ledger = ledger

    def allows(self, *, grantee: str, dataset: str, kind: TaskKind) -> bool:
        scope = TASK_SCOPES[kind]
        now = dt.datetime.now(dt.UTC)
        prefix = f"grant/{dataset}/"
        with self._ledger.lock:
            entries = self._ledger.consortium.peer().range(prefix, prefix + "\uffff")
        return any(
            isinstance(g, dict)
            and g.get("grantee_org") == grantee
            and g.get("status") == "active"
            and scope in g.get("scopes", ())
            and now < dt.datetime.fromisoformat(g["expires_at"])
            for _key, g in entries
        )
