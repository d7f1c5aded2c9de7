"""Privacy budgets per dataset: a charge that does not fit names what is short, spends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkgate.compute import BudgetExhausted, PrivacyBudgets


def test_a_charge_short_of_delta_names_delta_and_spends_nothing(tmp_path: Path) -> None:
    budgets = PrivacyBudgets(tmp_path / "budgets.db", default_epsilon=10.0, default_delta=1e-6)

    with pytest.raises(BudgetExhausted, match=r"δ=1e-06 left of 1e-06; the query needs δ=1e-05"):
        budgets.charge("visits", epsilon=1.0, delta=1e-5, task="t-1")

    left = budgets.get("visits")
    assert (left.epsilon_spent, left.delta_spent) == (0.0, 0.0)


def test_a_charge_short_of_epsilon_names_epsilon(tmp_path: Path) -> None:
    budgets = PrivacyBudgets(tmp_path / "budgets.db", default_epsilon=2.0)
    budgets.charge("visits", epsilon=1.5, delta=0.0, task="t-1")

    with pytest.raises(BudgetExhausted, match=r"ε=0.5 left of 2; the query needs ε=1") as caught:
        budgets.charge("visits", epsilon=1.0, delta=0.0, task="t-2")

    assert caught.value.field == "privacy.epsilon"
    assert budgets.get("visits").epsilon_spent == pytest.approx(1.5)
