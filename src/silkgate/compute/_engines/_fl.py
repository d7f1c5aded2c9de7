"""`fl_train`: logistic regression or a small MLP trained across the parties' nodes, Flower.

Runs Flower's deployment engine as real processes: a SuperLink beside the scheduler (with
the ServerApp it starts), and at each input party's node a SuperNode (with the ClientApps
it starts) that trains on that party's rows; the rows never leave the node. Model updates
reach the ServerApp only through SecAgg+ (`SecAggPlusWorkflow` / `secaggplus_mod`): it
recovers their weighted sum, not any party's update. What the ServerApp sees per party:
its training and held-out row counts (the aggregation weights), its mean training loss
each round and its held-out log-loss, accuracy at the end; receivers get the final model,
the per-round training loss and the held-out metrics, aggregated over the parties.

Guarantee with ``privacy``: (ε, δ)-DP of the released models for adding or removing one
party's whole contribution (hence for one row of it), by Flower's client-side fixed
clipping (each update clipped to ``clipping_norm`` at its node) and Gaussian noise on the
aggregate, calibrated with OpenDP (zCDP composition over ``rounds``, then to (ε, δ));
each input dataset's budget is charged (ε, δ) at its node before training starts.
Assumes semi-honest parties and SuperLink, all parties staying to the end of each round.
The reported losses and accuracy are not noised. Features are standardised at each node
with its own training rows' mean and deviation (no statistics leave the node).
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from silkgate.compute._engines._base import Cluster, Isolated, Json, Operation, StepContext
from silkgate.compute._errors import BudgetExhausted, TaskFailed
from silkgate.compute._spec import TaskSpec
from silkgate.domain import InvalidInput

STEP_SHARE = 0.85  # of limits.time_s: the run must end before the nodes' steps do
RECONSTRUCTION_THRESHOLD = 0.67  # of the shares: SecAgg+ tolerates a third of them lost


class FlParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: Literal["logreg", "mlp"] = "logreg"
    label: str = Field(min_length=1, description="0/1 column to predict; the rest are features")
    rounds: int = Field(3, ge=1, le=200)
    epochs: int = Field(1, ge=1, le=1000, description="local epochs per round")
    lr: float = Field(0.1, gt=0, le=10)
    batch_size: int = Field(32, ge=1, le=1_000_000)
    hidden: int = Field(16, ge=1, le=4096, description="MLP hidden units")
    test_fraction: float = Field(0.2, gt=0, lt=1, description="held-out share of each party")
    seed: int = Field(0, ge=0, le=2**31)
    clipping_norm: float = Field(1.0, gt=0, description="DP: l2 bound of each update")
    clipping_range: float = Field(8.0, gt=0, le=1e6, description="SecAgg+: |parameter| bound")


class FlEngine:
    kind: Final = "fl_train"

    def check(self, task: TaskSpec) -> None:
        params = FlParams.model_validate(task.params)
        parties = [i.party for i in task.inputs]
        if len(parties) < 2 or len(set(parties)) != len(parties):
            raise ValueError("fl_train takes one input from each of two or more parties")
        columns = {i.columns for i in task.inputs}
        if len(columns) != 1:
            raise ValueError("fl_train inputs must name the same columns in the same order")
        (shared,) = columns
        if params.label not in shared:
            raise ValueError(f"label {params.label!r} is not among the inputs' columns")
        if len(shared) < 2:
            raise ValueError("fl_train needs at least one feature column besides the label")
        if task.privacy is not None and task.privacy.delta <= 0:
            raise ValueError("fl_train with privacy needs privacy.delta > 0 (Gaussian noise)")

    def operations(self) -> Mapping[str, Operation]:
        return {"fl.train": Isolated(_train_at_node)}

    def run(self, task: TaskSpec, cluster: Cluster) -> Json:
        from silkgate.compute._flower._federation import Federation, FederationFailed

        params = FlParams.model_validate(task.params)
        parties = [i.party for i in task.inputs]
        rows = _rows(cluster, parties)
        dp = _dp_plan(task, cluster, params, parties)
        features = [c for c in task.inputs[0].columns if c != params.label]
        job = {
            "parties": len(parties),
            "rounds": params.rounds,
            "training": {
                "model": params.model,
                "features": len(features),
                "hidden": params.hidden,
                "epochs": params.epochs,
                "lr": params.lr,
                "batch_size": params.batch_size,
                "seed": params.seed,
            },
            "max_weight": float(max(rows.values())),
            "clipping_range": params.clipping_range,
            "reconstruction_threshold": RECONSTRUCTION_THRESHOLD,
            "timeout_s": STEP_SHARE * task.limits.time_s,
            "dp": dp,
        }
        deadline = time.monotonic() + STEP_SHARE * task.limits.time_s
        with tempfile.TemporaryDirectory(prefix="silkgate-fl-") as tmp:
            federation = Federation(Path(tmp))
            joined = _Joined(cluster, parties)
            try:
                address = federation.start()
                joined.start(address, federation.ca_pem)
                run_id = federation.launch_run(job)
                outcome = federation.wait_outcome(deadline=deadline, stop_waiting=joined.ended)
            except FederationFailed as exc:
                joined.raise_error()
                raise TaskFailed(f"fl_train: {exc}") from None
            finally:
                federation.close()  # the SuperNodes see the SuperLink go and end their steps
            answers = joined.wait(deadline)
        return {
            "model": params.model,
            "label": params.label,
            "features": features,
            "parameters": outcome["parameters"],
            "train_loss": outcome["train_loss"],
            "evaluation": outcome["evaluation"],
            "secure_aggregation": outcome["secure_aggregation"]
            | {"clients_masked": outcome["clients_masked"]},
            "strategy": outcome["strategy"],
            "privacy": None
            if dp is None or task.privacy is None
            else dp | task.privacy.model_dump(),
            "budgets": [
                {"party": p, "dataset": i.dataset, "epsilon_left": a["epsilon_left"]}
                for p, i, a in zip(parties, task.inputs, answers, strict=True)
                if "epsilon_left" in a
            ],
            "parties": len(parties),
            "rows_train": sum(int(a["rows_train"]) for a in answers),
            "rows_test": sum(int(a["rows_test"]) for a in answers),
            "runtime": {
                "engine": "flower-deployment",
                "flwr": _flwr_version(),
                "run_id": run_id,
                "superlink_cpu_s": round(federation.cpu_s, 3),
            },
        }


class _Joined:
    """The parties' ``fl.train`` steps, called at once in a thread of their own."""

    def __init__(self, cluster: Cluster, parties: list[str]) -> None:
        self._cluster = cluster
        self._parties = parties
        self._answers: list[Json] = []
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, superlink: str, ca_pem: str) -> None:
        args: Json = {"superlink": superlink, "ca_cert": ca_pem}
        calls = [(p, "fl.train", args) for p in self._parties]
        self._thread = threading.Thread(target=self._call, args=(calls,), daemon=True,
                                        name=f"fl-{self._cluster.session}")  # fmt: skip
        self._thread.start()

    def _call(self, calls: list[tuple[str, str, Json]]) -> None:
        try:
            self._answers = self._cluster.call_all(calls)
        except BaseException as exc:  # re-raised in the engine's thread
            self._error = exc

    def ended(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def raise_error(self) -> None:
        if self._thread is not None and self._error is None:
            self._thread.join(1.0)
        if self._error is not None:
            raise self._error

    def wait(self, deadline: float) -> list[Json]:
        assert self._thread is not None
        self._thread.join(max(deadline - time.monotonic(), 0) + 30)
        if self._thread.is_alive():
            raise TaskFailed("fl_train: the parties' SuperNodes did not stop after the run")
        self.raise_error()
        return self._answers


def _rows(cluster: Cluster, parties: list[str]) -> dict[str, int]:
    described = cluster.call_all([(p, "node.describe", {}) for p in parties])
    return {p: int(d["inputs"][0]["rows"]) for p, d in zip(parties, described, strict=True)}


def _dp_plan(task: TaskSpec, cluster: Cluster, params: FlParams,
             parties: list[str]) -> Json | None:  # fmt: skip
    if task.privacy is None:
        return None
    for party in parties:
        for budget in cluster.call(party, "node.budget", {})["budgets"]:
            if budget["epsilon_left"] + 1e-12 < task.privacy.epsilon:
                raise BudgetExhausted(
                    f"dataset {budget['dataset']!r} at {party!r} has"
                    f" ε={budget['epsilon_left']:.4g} left; the task needs"
                    f" ε={task.privacy.epsilon:.4g}",
                    field="privacy.epsilon",
                )
    multiplier = noise_multiplier(task.privacy.epsilon, task.privacy.delta, params.rounds)
    return {"noise_multiplier": multiplier, "clipping_norm": params.clipping_norm}


def noise_multiplier(epsilon: float, delta: float, rounds: int) -> float:
    """σ such that ``rounds`` Gaussian releases of scale σ·C, l2 sensitivity C, are (ε, δ)-DP."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float)

    def releases(scale: float) -> Any:
        gaussian = dp.m.make_gaussian(*space, scale=scale)
        composed = dp.c.make_composition([gaussian] * rounds)
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(composed), delta)

    return float(dp.binary_search_param(releases, d_in=1.0, d_out=(epsilon, delta), T=float))


def _flwr_version() -> str:
    from importlib.metadata import version

    return version("flwr")


# -- at the node ----------------------------------------------------------------------------


def _train_at_node(ctx: StepContext, args: Json) -> Json:
    from silkgate.compute._flower._supernode import SuperNodeFailed, serve

    task = ctx.task
    params = FlParams.model_validate(task.params)
    (item,) = task.inputs_of(ctx.party)
    split = prepare_split(ctx, params)
    data_path = ctx.workdir / "split.npz"
    split.save(data_path)
    charged: Json = {}
    if task.privacy is not None:
        # Charge first: if the budget cannot pay, this party trains nothing.
        budget = ctx.budgets.charge(item.dataset, epsilon=task.privacy.epsilon,
                                    delta=task.privacy.delta, task=task.id)  # fmt: skip
        charged = {"epsilon_left": budget.epsilon_left}
    limit_s = STEP_SHARE * task.limits.time_s + 10
    ctx.log.info("fl %s: %s joins %s", task.id, ctx.party, args["superlink"])
    try:
        cpu_s = serve(
            str(args["superlink"]),
            str(args["ca_cert"]),
            data_path,
            ctx.workdir,
            host=ctx.host,
            deadline=time.monotonic() + limit_s,
        )
    except SuperNodeFailed as exc:
        raise TaskFailed(f"fl.train at {ctx.party!r}: {exc}") from None
    ctx.meter.add_child(cpu_s, 0)
    return {"rows_train": len(split.y_train), "rows_test": len(split.y_test)} | charged


def prepare_split(ctx: StepContext, params: FlParams) -> Any:
    """This party's rows as standardised float32 features and 0/1 labels, shuffled and cut."""
    import pandas as pd

    from silkgate.compute._flower._models import Split

    (item,) = ctx.task.inputs_of(ctx.party)
    frame = ctx.source.read(item.dataset, item.columns)
    ctx.meter.add_rows(len(frame))
    features = [c for c in item.columns if c != params.label]
    for column in features:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise InvalidInput(
                f"column {column!r} of {item.dataset!r} is not numeric; fl_train reads numeric"
                " features", field="inputs.columns",
            )  # fmt: skip
    frame = frame.dropna()
    labels = frame[params.label]
    if not set(pd.unique(labels)) <= {0, 1}:
        raise InvalidInput(
            f"label {params.label!r} of {item.dataset!r} holds values other than 0 and 1",
            field="params.label",
        )
    x = frame[features].to_numpy(dtype=np.float64)
    y = labels.to_numpy(dtype=np.float32)
    order = np.random.default_rng(params.seed).permutation(len(y))
    held_out = round(params.test_fraction * len(y))
    if held_out < 1 or len(y) - held_out < 1:
        raise InvalidInput(f"{item.dataset!r} has too few rows ({len(y)}) to train and test")
    test, train = order[:held_out], order[held_out:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std[std == 0] = 1.0
    scaled = ((x - mean) / std).astype(np.float32)
    return Split(scaled[train], y[train], scaled[test], y[test])
