"""Grants for privacy computing, answered by the consortium ledger.

Implements ``silkgate.compute.GrantChecker``: ``grantee`` may receive results of a task of
``kind`` over ``dataset`` when the committing peer holds a grant on it to a member of
``grantee`` that allows the task kind's own scope (``TASK_SCOPES``: ``compute:psi`` for a
PSI, ``compute:dp`` for a DP query …) now: active (not suspended or revoked) and unexpired,
as the ledger's ``access.use`` checks it (``silkgate.ledger.grant_allows``).
"""

from __future__ import annotations

import datetime as dt

from silkgate.compute import TaskKind
from silkgate.exchange import TASK_SCOPES, LedgerLink
from silkgate.ledger import grant_allows


class LedgerGrants:
    def __init__(self, ledger: LedgerLink) -> None:
        self._ledger = ledger

    def allows(self, *, grantee: str, dataset: str, kind: TaskKind) -> bool:
        scope = TASK_SCOPES[kind]
        now = dt.datetime.now(dt.UTC).isoformat()
        prefix = f"grant/{dataset}/"
        with self._ledger.lock:
            entries = self._ledger.consortium.peer().range(prefix, prefix + "\uffff")
        return any(
            isinstance(g, dict) and g.get("grantee_org") == grantee and grant_allows(g, scope, now)
            for _key, g in entries
        )
