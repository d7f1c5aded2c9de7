"""The ServerApp the SuperLink runs for one `fl_train` task: FedAvg under SecAgg+.

Each round the SuperNodes train locally, mask their updates (SecAgg+: pairwise masks and
Shamir shares of the mask seeds, so the ServerApp recovers only the weighted sum), and
evaluate the new model on their held-out rows. With DP, Flower's client-side fixed
clipping wrapper clips every update at its node and adds Gaussian noise to the aggregate.
The job (hyperparameters, the parties' number, where to write the outcome) comes as a
JSON file named by the run config ``job-path``; the outcome is written as JSON beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flwr.common import Context, Metrics, ndarrays_to_parameters
from flwr.server import Grid, LegacyContext, ServerApp, ServerConfig
from flwr.server.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg, Strategy
from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow
from flwr.server.workflow.constant import MAIN_PARAMS_RECORD

from silkgate.compute._flower._models import Training, get_arrays, make_model

app = ServerApp()


class RecordedSecAggPlus(SecAggPlusWorkflow):
    """SecAgg+ that records, per round, the shares, threshold and unmasked clients."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rounds: list[dict[str, int]] = []
        self._setup: dict[str, int] = {}

    def setup_stage(self, grid: Grid, context: LegacyContext, state: Any) -> bool:
        done = bool(super().setup_stage(grid, context, state))
        self._setup = {"num_shares": state.num_shares, "threshold": state.threshold,
                       "sampled": len(state.sampled_node_ids)}  # fmt: skip
        return done

    def unmask_stage(self, grid: Grid, context: LegacyContext, state: Any) -> bool:
        done = bool(super().unmask_stage(grid, context, state))
        if done:
            self.rounds.append({**self._setup, "unmasked": len(state.active_node_ids)})
        return done


def weighted_mean(results: list[tuple[int, Metrics]]) -> Metrics:
    total = sum(n for n, _ in results)
    keys = set.intersection(*(set(m) for _, m in results)) if results else set()
    return {k: sum(n * float(m[k]) for n, m in results) / max(total, 1) for k in sorted(keys)}


def _strategy(job: dict[str, Any], training: Training) -> Strategy:
    parties = int(job["parties"])
    initial = ndarrays_to_parameters(get_arrays(make_model(training)))

    def config_of(server_round: int) -> dict[str, Any]:
        return {**training.as_config(), "round": server_round}

    strategy: Strategy = FedAvg(
        fraction_fit=1.0,
        fraction_evaluate=1.0,
        min_fit_clients=parties,
        min_evaluate_clients=parties,
        min_available_clients=parties,
        initial_parameters=initial,
        on_fit_config_fn=config_of,
        on_evaluate_config_fn=config_of,
        fit_metrics_aggregation_fn=weighted_mean,
        evaluate_metrics_aggregation_fn=weighted_mean,
    )
    dp = job.get("dp")
    if dp is not None:
        strategy = DifferentialPrivacyClientSideFixedClipping(
            strategy,
            noise_multiplier=float(dp["noise_multiplier"]),
            clipping_norm=float(dp["clipping_norm"]),
            num_sampled_clients=parties,
        )
    return strategy


@app.main()
def main(grid: Grid, context: Context) -> None:
    job_path = Path(str(context.run_config["job-path"]))
    job = json.loads(job_path.read_text(encoding="utf-8"))
    outcome_path = Path(job["outcome_path"])
    try:
        training = Training.from_config(job["training"])
        timeout_s = float(job["timeout_s"])
        legacy = LegacyContext(
            context=context,
            config=ServerConfig(num_rounds=int(job["rounds"]), round_timeout=timeout_s),
            strategy=_strategy(job, training),
        )
        secagg = RecordedSecAggPlus(
            num_shares=1.0,
            reconstruction_threshold=float(job["reconstruction_threshold"]),
            max_weight=float(job["max_weight"]),
            clipping_range=float(job["clipping_range"]),
            timeout=timeout_s,
        )
        DefaultWorkflow(fit_workflow=secagg)(grid, legacy)
        outcome = _outcome(legacy, secagg)
    except Exception as exc:
        outcome = {"error": f"{type(exc).__name__}: {exc}"}
        _write(outcome_path, outcome)
        raise
    _write(outcome_path, outcome)


def _outcome(legacy: LegacyContext, secagg: RecordedSecAggPlus) -> dict[str, Any]:
    history = legacy.history
    record = legacy.state.array_records[MAIN_PARAMS_RECORD]
    arrays = record.to_numpy_ndarrays()
    fit = history.metrics_distributed_fit
    evaluated = history.metrics_distributed
    return {
        "parameters": [a.tolist() for a in arrays],
        "train_loss": [{"round": r, "loss": v} for r, v in fit.get("train_loss", [])],
        "evaluation": [
            {"round": r, "log_loss": loss, "accuracy": acc}
            for (r, loss), (_r, acc) in zip(
                history.losses_distributed, evaluated.get("accuracy", []), strict=False
            )
        ],
        "clients_masked": [{"round": r, "share": v} for r, v in evaluated.get("secaggplus", [])],
        "secure_aggregation": {
            "workflow": type(secagg).__mro__[1].__name__,
            "rounds": secagg.rounds,
        },
        "strategy": type(legacy.strategy).__name__,
    }


def _write(path: Path, outcome: dict[str, Any]) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(outcome), encoding="utf-8")
    partial.replace(path)
