"""`dp_query`: a differentially private statistic of one dataset, released by OpenDP.

Guarantee: ε-DP (pure, Laplace mechanisms) for adding or removing one row of the dataset
(one subject when each subject has one row; with k rows per subject the guarantee is kε),
with the ε charged to the dataset's persisted budget before anything is released.
Statistics: ``count``; ``sum``, ``mean`` (a noisy sum over a noisy count, ε split evenly)
and ``quantiles`` (exponential mechanism over ``candidates`` points, ε split evenly)
over values clamped to ``bounds``; ``histogram`` over ``categories``. Each release states
``accuracy``: with probability ``1 - alpha`` the noise is at most ``bound`` (count, sum,
histogram bins; for a mean the bounds of its sum and count). Counts and histogram bins are
released no lower than 0: post-processing of the noisy value, so the guarantee is unchanged,
and a bin whose true count is 0 no longer reads as a negative number of people.
``restrict`` limits the query to rows whose ``column`` is in ``keys`` (for example an
intersection from a PSI task, given as ``keys_from_task``, which the scheduler reads).
``within`` limits it to rows whose ``column`` is in the intersection the node itself keeps
for a psi task run with ``keep`` (`_psi`): the keys never leave the node, and the node
refuses the query if it keeps no such intersection (unknown task, not succeeded, no
``keep``) or the psi task did not read this dataset. Restricting rows by a fixed key set is
1-stable, so the release is ε-DP for a row of the dataset added or removed as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from silkgate.compute._engines._base import Cluster, Json, Operation, StepContext
from silkgate.compute._engines._psi import kept_intersection
from silkgate.compute._errors import TaskRefused
from silkgate.compute._spec import TaskSpec

ALPHA = 0.05


class Restrict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str
    keys: list[str] | None = None
    keys_from_task: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Restrict:
        if (self.keys is None) == (self.keys_from_task is None):
            raise ValueError("restrict needs exactly one of keys, keys_from_task")
        return self


class Within(BaseModel):
    """Rows whose ``column`` is in the intersection this node keeps for psi task ``task``."""

    model_config = ConfigDict(extra="forbid")

    task: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    column: str


class DpParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statistic: Literal["count", "sum", "mean", "quantiles", "histogram"]
    bounds: tuple[float, float] | None = None
    quantiles: list[float] = Field(default_factory=lambda: [0.5])
    candidates: int = Field(101, ge=2, le=10_000)
    categories: list[str] | None = None
    restrict: Restrict | None = None
    within: Within | None = None

    @model_validator(mode="after")
    def _needs(self) -> DpParams:
        if self.restrict is not None and self.within is not None:
            raise ValueError("give restrict or within, not both")
        bounded = self.bounds is not None and self.bounds[0] < self.bounds[1]
        if self.statistic in ("sum", "mean", "quantiles") and not bounded:
            raise ValueError(f"{self.statistic} needs bounds [lower, upper], lower < upper")
        if self.statistic == "histogram" and not self.categories:
            raise ValueError("histogram needs categories")
        if any(not 0 <= q <= 1 for q in self.quantiles):
            raise ValueError("quantiles lie in [0, 1]")
        return self


class DpEngine:
    kind: Final = "dp_query"

    def check(self, task: TaskSpec) -> None:
        DpParams.model_validate(task.params)
        if len(task.inputs) != 1 or len(task.inputs[0].columns) != 1:
            raise ValueError("dp_query reads one column of one dataset")
        if task.privacy is None:
            raise ValueError("dp_query needs privacy.epsilon")

    def operations(self) -> Mapping[str, Operation]:
        return {"dp.release": _release}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        params = DpParams.model_validate(task.params)
        args: Json = {}
        if params.restrict is not None and params.restrict.keys_from_task is not None:
            found = cluster.result_of(params.restrict.keys_from_task)
            if "intersection" not in found:
                raise ValueError("keys_from_task must name a psi task with an intersection")
            args["keys"] = found["intersection"]
        return cluster.call(task.inputs[0].party, "dp.release", args)


def _release(ctx: StepContext, args: Json) -> Json:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    task = ctx.task
    assert task.privacy is not None
    params = DpParams.model_validate(task.params)
    (item,) = task.inputs_of(ctx.party)
    column = item.columns[0]
    key_column, allowed = _allowed_keys(ctx, params, args, item.dataset)
    wanted = [column]
    if key_column is not None and key_column != column:
        wanted.append(key_column)
    frame = ctx.source.read(item.dataset, tuple(wanted))
    ctx.meter.add_rows(len(frame))
    if key_column is not None:
        frame = frame[frame[key_column].astype(str).isin(allowed)]
    epsilon = task.privacy.epsilon
    measurement, describe = _measurement(dp, params, epsilon)
    privacy_loss = float(measurement.map(1))
    if privacy_loss > epsilon * (1 + 1e-6):
        raise ValueError(f"measurement spends ε={privacy_loss}, more than the task's {epsilon}")
    # Charge first: if the budget cannot pay, nothing is computed or released.
    budget = ctx.budgets.charge(item.dataset, epsilon=epsilon, delta=0.0, task=task.id)
    data = _values(frame[column], params)
    released = measurement(data)
    result: Json = {
        "statistic": params.statistic,
        "dataset": item.dataset,
        "epsilon": epsilon,
        "epsilon_left": budget.epsilon_left,
        **describe(released),
    }
    ctx.log.info("dp release %s on %s: ε=%s", task.id, item.dataset, epsilon)
    return result


def _allowed_keys(ctx: StepContext, params: DpParams, args: Json,
                  dataset: str) -> tuple[str | None, frozenset[str]]:  # fmt: skip
    """The column that restricts the rows and the keys it may hold (None: all rows)."""
    if params.restrict is not None:
        keys = args.get("keys") if args.get("keys") is not None else params.restrict.keys
        return params.restrict.column, frozenset(str(k) for k in keys or [])
    if params.within is None:
        return None, frozenset()
    kept = kept_intersection(ctx, params.within.task)
    if kept.dataset != dataset:
        raise TaskRefused(
            f"psi task {kept.task!r} did not involve dataset {dataset!r} at {ctx.party!r}"
            f" (it read {kept.dataset!r})",
            field="params.within.task",
        )
    if kept.columns != (params.within.column,):
        raise TaskRefused(
            f"psi task {kept.task!r} matched column {list(kept.columns)} of {dataset!r}, not"
            f" {params.within.column!r}",
            field="params.within.column",
        )
    return params.within.column, kept.keys


def _values(series: Any, params: DpParams) -> list[Any]:
    if params.statistic == "histogram":
        return [str(v) for v in series.tolist()]
    if params.statistic == "count":
        return [1.0] * len(series)
    values = series.astype(float).to_numpy()
    return [float(v) for v in values[np.isfinite(values)]]


def _measurement(dp: Any, params: DpParams, epsilon: float) -> tuple[Any, Any]:
    floats = dp.vector_domain(dp.atom_domain(T=float, nan=False))
    metric = dp.symmetric_distance()
    if params.statistic == "count":
        scale = 1.0 / epsilon
        count = dp.t.make_count(floats, metric) >> dp.m.then_laplace(scale=scale)
        bound = dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA)
        return count, lambda v: {"value": max(int(v), 0), "accuracy": _accuracy(bound)}
    if params.statistic == "histogram":
        strings = dp.vector_domain(dp.atom_domain(T=str))
        categories = list(params.categories or [])
        counts = dp.t.make_count_by_categories(strings, metric, categories=categories)
        scale = _scale_for(dp, lambda s: counts >> dp.m.then_laplace(scale=s), epsilon)
        meas = counts >> dp.m.then_laplace(scale=scale)
        bound = dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA)
        return meas, lambda v: {
            "value": dict(zip([*categories, "(other)"], (max(int(c), 0) for c in v), strict=True)),
            "accuracy": _accuracy(bound),
        }
    assert params.bounds is not None
    lower, upper = float(params.bounds[0]), float(params.bounds[1])
    clamp = dp.t.make_clamp(floats, metric, bounds=(lower, upper))
    if params.statistic == "quantiles":
        share = epsilon / len(params.quantiles)
        candidates = [float(c) for c in np.linspace(lower, upper, params.candidates)]

        def quantile(alpha: float, scale: float) -> Any:
            return clamp >> dp.m.then_private_quantile(
                dp.max_divergence(), candidates=candidates, alpha=alpha, scale=scale
            )

        parts = [
            quantile(q, _scale_for(dp, lambda s, q=q: quantile(q, s), share))
            for q in params.quantiles
        ]
        meas = dp.c.make_composition(parts)
        return meas, lambda v: {
            "value": dict(zip(map(str, params.quantiles), map(float, v), strict=True)),
            "accuracy": None,
        }
    summed = clamp >> dp.t.then_sum()
    if params.statistic == "sum":
        scale = _scale_for(dp, lambda s: summed >> dp.m.then_laplace(scale=s), epsilon)
        meas = summed >> dp.m.then_laplace(scale=scale)
        bound = dp.laplacian_scale_to_accuracy(scale, ALPHA)
        return meas, lambda v: {"value": float(v), "accuracy": _accuracy(bound)}
    half = epsilon / 2
    sum_scale = _scale_for(dp, lambda s: summed >> dp.m.then_laplace(scale=s), half)
    count_scale = 1.0 / half
    meas = dp.c.make_composition(
        [
            summed >> dp.m.then_laplace(scale=sum_scale),
            dp.t.make_count(floats, metric) >> dp.m.then_laplace(scale=count_scale),
        ]
    )
    sum_bound = dp.laplacian_scale_to_accuracy(sum_scale, ALPHA)
    count_bound = dp.discrete_laplacian_scale_to_accuracy(count_scale, ALPHA)

    def mean(v: Any) -> Json:
        noisy_sum, noisy_count = float(v[0]), int(v[1])
        value = min(max(noisy_sum / max(noisy_count, 1), lower), upper)
        return {
            "value": value,
            "noisy_sum": noisy_sum,
            "noisy_count": noisy_count,
            "accuracy": {"alpha": ALPHA, "sum_bound": sum_bound, "count_bound": count_bound},
        }

    return meas, mean


def _scale_for(dp: Any, make: Any, epsilon: float) -> float:
    return float(dp.binary_search_param(make, d_in=1, d_out=epsilon, T=float))


def _accuracy(bound: float) -> Json:
    return {"alpha": ALPHA, "bound": float(bound)}
