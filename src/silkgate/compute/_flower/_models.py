"""The models `fl_train` trains: logistic regression and a small MLP, binary labels, torch.

Parameters cross the wire as a list of float32 arrays in the model's ``state_dict`` order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

ModelKind = Literal["logreg", "mlp"]
Arrays = list[npt.NDArray[Any]]


@dataclass(frozen=True, slots=True)
class Split:
    """One party's standardised features and 0/1 labels, cut into train and held-out rows."""

    x_train: npt.NDArray[np.float32]
    y_train: npt.NDArray[np.float32]
    x_test: npt.NDArray[np.float32]
    y_test: npt.NDArray[np.float32]

    def save(self, path: Path) -> None:
        np.savez(path, x_train=self.x_train, y_train=self.y_train, x_test=self.x_test,
                 y_test=self.y_test)  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Split:
        with np.load(path) as data:
            return cls(data["x_train"], data["y_train"], data["x_test"], data["y_test"])


@dataclass(frozen=True, slots=True)
class Training:
    """Hyperparameters the server sends with every round."""

    model: ModelKind
    features: int
    hidden: int
    epochs: int
    lr: float
    batch_size: int
    seed: int

    def as_config(self) -> dict[str, int | float | str]:
        return {"model": self.model, "features": self.features, "hidden": self.hidden,
                "epochs": self.epochs, "lr": self.lr, "batch_size": self.batch_size,
                "seed": self.seed}  # fmt: skip

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Training:
        model = str(config["model"])
        if model not in ("logreg", "mlp"):
            raise ValueError(f"unknown model {model!r}")
        return cls(model=model,  # type: ignore[arg-type]
                   features=int(config["features"]), hidden=int(config["hidden"]),
                   epochs=int(config["epochs"]), lr=float(config["lr"]),
                   batch_size=int(config["batch_size"]), seed=int(config["seed"]))  # fmt: skip


def make_model(training: Training) -> Any:
    import torch
    from torch import nn

    torch.manual_seed(training.seed)
    if training.model == "logreg":
        return nn.Linear(training.features, 1)
    return nn.Sequential(
        nn.Linear(training.features, training.hidden), nn.ReLU(), nn.Linear(training.hidden, 1)
    )


def get_arrays(model: Any) -> Arrays:
    return [t.detach().cpu().numpy().astype(np.float32) for t in model.state_dict().values()]


def set_arrays(model: Any, arrays: Arrays) -> None:
    import torch

    keys = list(model.state_dict())
    if len(keys) != len(arrays):
        raise ValueError(f"expected {len(keys)} parameter arrays, got {len(arrays)}")
    state = {
        k: torch.from_numpy(np.asarray(a, dtype=np.float32))
        for k, a in zip(keys, arrays, strict=True)
    }
    model.load_state_dict(state, strict=True)


def train(model: Any, training: Training, x: npt.NDArray[np.float32],
          y: npt.NDArray[np.float32], round_no: int) -> float:  # fmt: skip
    """Local epochs of mini-batch SGD; the mean training log-loss of the last epoch."""
    import torch
    from torch import nn

    generator = torch.Generator().manual_seed(training.seed * 1_000 + round_no)
    inputs, labels = torch.from_numpy(x), torch.from_numpy(y)
    optimiser = torch.optim.SGD(model.parameters(), lr=training.lr)
    loss_fn = nn.BCEWithLogitsLoss(reduction="sum")
    model.train()
    mean_loss = 0.0
    for _epoch in range(training.epochs):
        order = torch.randperm(len(labels), generator=generator)
        total = 0.0
        for start in range(0, len(labels), training.batch_size):
            batch = order[start : start + training.batch_size]
            optimiser.zero_grad()
            loss = loss_fn(model(inputs[batch]).squeeze(-1), labels[batch])
            (loss / len(batch)).backward()
            optimiser.step()
            total += float(loss.detach())
        mean_loss = total / max(len(labels), 1)
    return mean_loss


def evaluate(model: Any, x: npt.NDArray[np.float32],
             y: npt.NDArray[np.float32]) -> tuple[float, float]:  # fmt: skip
    """Mean log-loss and accuracy (threshold 0.5) on ``x``, ``y``."""
    import torch
    from torch import nn

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).squeeze(-1)
        labels = torch.from_numpy(y)
        loss = float(nn.functional.binary_cross_entropy_with_logits(logits, labels))
        accuracy = float(((logits > 0).float() == labels).float().mean())
    return loss, accuracy
