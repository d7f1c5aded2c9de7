"""Per-dataset privacy budgets, persisted by the node that holds the data.

Guarantee: the ε (and δ) a dataset has spent never exceeds its total, because every
release is charged in one SQLite transaction that first checks the remaining budget
and the release happens only after the charge has committed (sequential composition
of pure-ε / approximate-DP releases; a charged release that then fails is not refunded).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from silkgate.compute._errors import BudgetExhausted

DEFAULT_EPSILON = 10.0


@dataclass(frozen=True, slots=True)
class Budget:
    dataset: str
    epsilon_total: float
    epsilon_spent: float
    delta_total: float
    delta_spent: float

    @property
    def epsilon_left(self) -> float:
        return max(self.epsilon_total - self.epsilon_spent, 0.0)


class PrivacyBudgets:
    """Budgets of one node's datasets in a SQLite file; unknown datasets get the default."""

    def __init__(
        self, path: Path, *, default_epsilon: float = DEFAULT_EPSILON, default_delta: float = 1e-6
    ) -> None:
        self._path = path
        self._default = (default_epsilon, default_delta)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS budgets (dataset TEXT PRIMARY KEY,"
                " epsilon_total REAL, epsilon_spent REAL, delta_total REAL, delta_spent REAL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS charges (id INTEGER PRIMARY KEY, dataset TEXT,"
                " task TEXT, epsilon REAL, delta REAL, at TEXT DEFAULT CURRENT_TIMESTAMP)"
            )

    @property
    def path(self) -> Path:
        return self._path

    @property
    def default_epsilon(self) -> float:
        return self._default[0]

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=30, isolation_level="IMMEDIATE")

    def set_total(self, dataset: str, epsilon: float, delta: float | None = None) -> None:
        with self._lock, closing(self._connect()) as db, db:
            self._ensure(db, dataset)
            db.execute(
                "UPDATE budgets SET epsilon_total=?, delta_total=COALESCE(?, delta_total)"
                " WHERE dataset=?",
                (epsilon, delta, dataset),
            )

    def get(self, dataset: str) -> Budget:
        with self._lock, closing(self._connect()) as db, db:
            self._ensure(db, dataset)
            row = db.execute(
                "SELECT epsilon_total, epsilon_spent, delta_total, delta_spent FROM budgets"
                " WHERE dataset=?",
                (dataset,),
            ).fetchone()
        return Budget(dataset, *row)

    def charge(self, dataset: str, *, epsilon: float, delta: float, task: str) -> Budget:
        """Spend ``epsilon``/``delta`` or raise BudgetExhausted, spending nothing."""
        with self._lock, closing(self._connect()) as db, db:
            self._ensure(db, dataset)
            total, spent, d_total, d_spent = db.execute(
                "SELECT epsilon_total, epsilon_spent, delta_total, delta_spent FROM budgets"
                " WHERE dataset=?",
                (dataset,),
            ).fetchone()
            if spent + epsilon > total + 1e-12:
                raise BudgetExhausted(
                    f"dataset {dataset!r} has ε={max(total - spent, 0):.4g} left of {total:.4g};"
                    f" the query needs ε={epsilon:.4g}",
                    field="privacy.epsilon",
                )
            if d_spent + delta > d_total + 1e-15:
                raise BudgetExhausted(
                    f"dataset {dataset!r} has δ={max(d_total - d_spent, 0):.3g} left of"
                    f" {d_total:.3g}; the query needs δ={delta:.3g}",
                    field="privacy.delta",
                )
            db.execute(
                "UPDATE budgets SET epsilon_spent=?, delta_spent=? WHERE dataset=?",
                (spent + epsilon, d_spent + delta, dataset),
            )
            db.execute(
                "INSERT INTO charges (dataset, task, epsilon, delta) VALUES (?, ?, ?, ?)",
                (dataset, task, epsilon, delta),
            )
            return Budget(dataset, total, spent + epsilon, d_total, d_spent + delta)

    def _ensure(self, db: sqlite3.Connection, dataset: str) -> None:
        db.execute(
            "INSERT OR IGNORE INTO budgets VALUES (?, ?, 0.0, ?, 0.0)",
            (dataset, self._default[0], self._default[1]),
        )
