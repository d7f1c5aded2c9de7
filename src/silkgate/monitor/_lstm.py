"""An LSTM (torch) that forecasts each entity's next interval; surprise is the anomaly score.

Each series is log1p-transformed and standardised on its own training history; one small
LSTM is trained on windows from all series at once. A point's score is its absolute
one-step forecast error divided by the error spread on the training windows, so 3 means
three times the typical miss.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch
from torch import nn

from silkgate.monitor._errors import MonitorError
from silkgate.monitor._optim import Adam

Array = npt.NDArray[np.float64]


class _Net(nn.Module):
    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])  # type: ignore[no-any-return]


class LstmSeriesDetector:
    name = "lstm"

    def __init__(
        self,
        *,
        window: int = 12,
        hidden: int = 16,
        epochs: int = 20,
        lr: float = 0.01,
        seed: int = 0,
    ) -> None:
        self.window = window
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.seed = seed
        self._net: _Net | None = None
        self._mean: Array = np.zeros(0)
        self._std: Array = np.ones(0)
        self._error_scale = 1.0

    def _prepare(self, values: Array) -> Array:
        return np.asarray((np.log1p(np.maximum(values, 0.0)) - self._mean) / self._std)

    def _windows(self, z: Array) -> tuple[torch.Tensor, torch.Tensor]:
        # one sample per (series, end); each series is one univariate feature
        xs, ys = [], []
        for j in range(z.shape[1]):
            col = z[:, j]
            idx = np.arange(self.window, len(col))
            xs.append(np.stack([col[i - self.window : i] for i in idx]) if len(idx) else None)
            ys.append(col[idx])
        x = np.concatenate([a for a in xs if a is not None])[:, :, None]
        y = np.concatenate(ys)[:, None]
        return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

    def fit(self, series: pd.DataFrame) -> LstmSeriesDetector:
        values = series.to_numpy(dtype=np.float64)
        if len(values) <= self.window + 1:
            raise MonitorError(
                f"an LSTM with window {self.window} needs more than {self.window + 1} intervals, "
                f"got {len(values)}"
            )
        logged = np.log1p(np.maximum(values, 0.0))
        self._mean, self._std = logged.mean(axis=0), np.maximum(logged.std(axis=0), 1e-3)
        torch.manual_seed(self.seed)
        self._net = _Net(1, self.hidden)
        x, y = self._windows(self._prepare(values))
        optimiser = Adam(list(self._net.parameters()), lr=self.lr)
        loss_fn = nn.MSELoss()
        generator = torch.Generator().manual_seed(self.seed)
        for _ in range(self.epochs):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), 256):
                batch = order[start : start + 256]
                optimiser.zero_grad()
                loss = loss_fn(self._net(x[batch]), y[batch])
                loss.backward()
                optimiser.step()
        errors = self._errors(values)
        finite = errors[np.isfinite(errors)]
        self._error_scale = float(np.quantile(finite, 0.9)) if len(finite) else 1.0
        self._error_scale = self._error_scale or 1.0
        return self

    def _errors(self, values: Array) -> Array:
        assert self._net is not None, "fit first"
        z = self._prepare(values)
        out = np.full(z.shape, np.nan)
        if len(z) <= self.window:
            return out
        x, _ = self._windows(z)
        with torch.no_grad():
            predicted = self._net(x).numpy()[:, 0]
        per_series = len(z) - self.window
        for j in range(z.shape[1]):
            out[self.window :, j] = np.abs(
                z[self.window :, j] - predicted[j * per_series : (j + 1) * per_series]
            )
        return out

    def score(self, series: pd.DataFrame) -> pd.DataFrame:
        """Scores shaped like ``series`` (same columns as at fit); the first ``window`` rows
        have none (NaN)."""
        errors = self._errors(series.to_numpy(dtype=np.float64)) / self._error_scale
        return pd.DataFrame(errors, index=series.index, columns=series.columns)
