"""Semantic sensitivity of transfer content: a small Transformer encoder trained here.

Content is what a transfer carries, as text (column names, a sample of values). The model
(``nn.TransformerEncoder`` over word tokens, mean-pooled, one logit) learns from the
training transfers whether content is personal data, using the flag their senders declared.
At scoring time, a transfer whose content reads as personal while it is declared not
personal is a ``content`` alert: data leaving under the wrong label.
Assumes the training transfers are mostly declared truthfully.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from silkgate.monitor._embed import tokens
from silkgate.monitor._errors import MonitorError
from silkgate.monitor._optim import Adam

_PAD, _UNK = 0, 1


class _Encoder(nn.Module):
    def __init__(self, vocab: int, dim: int, heads: int, layers: int, length: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=_PAD)
        self.position = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(
            dim, heads, dim_feedforward=2 * dim, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(dim, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pad = ids == _PAD
        hidden = self.encoder(
            self.embed(ids) + self.position[:, : ids.shape[1]], src_key_padding_mask=pad
        )
        keep = (~pad).unsqueeze(-1).float()
        pooled = (hidden * keep).sum(1) / keep.sum(1).clamp(min=1.0)
        return self.head(pooled).squeeze(-1)  # type: ignore[no-any-return]


class ContentSensitivityModel:
    name = "transformer"

    def __init__(
        self,
        *,
        dim: int = 32,
        heads: int = 2,
        layers: int = 1,
        length: int = 32,
        epochs: int = 30,
        max_vocab: int = 5_000,
        seed: int = 0,
    ) -> None:
        self.dim, self.heads, self.layers, self.length = dim, heads, layers, length
        self.epochs, self.max_vocab, self.seed = epochs, max_vocab, seed
        self._vocab: dict[str, int] = {}
        self._net: _Encoder | None = None

    def _encode(self, texts: Sequence[str]) -> torch.Tensor:
        ids = np.zeros((len(texts), self.length), dtype=np.int64)
        for i, text in enumerate(texts):
            row = [self._vocab.get(t, _UNK) for t in tokens(text)][: self.length]
            ids[i, : len(row)] = row
            if not row:
                ids[i, 0] = _UNK
        return torch.from_numpy(ids)

    def fit(self, texts: Sequence[str], personal: Sequence[bool]) -> ContentSensitivityModel:
        labels = np.asarray(personal, dtype=np.float32)
        if len(texts) != len(labels) or len(set(labels.tolist())) < 2:
            raise MonitorError("content training needs texts with both personal and other labels")
        counts = Counter(t for text in texts for t in tokens(text))
        self._vocab = {t: i + 2 for i, (t, _) in enumerate(counts.most_common(self.max_vocab))}
        torch.manual_seed(self.seed)
        self._net = _Encoder(len(self._vocab) + 2, self.dim, self.heads, self.layers, self.length)
        x, y = self._encode(texts), torch.from_numpy(labels)
        optimiser = Adam(list(self._net.parameters()), lr=3e-3)
        loss_fn = nn.BCEWithLogitsLoss()
        generator = torch.Generator().manual_seed(self.seed)
        self._net.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), 64):
                batch = order[start : start + 64]
                optimiser.zero_grad()
                loss = loss_fn(self._net(x[batch]), y[batch])
                loss.backward()
                optimiser.step()
        self._net.eval()
        return self

    def sensitivity(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """P(content is personal data) for each text."""
        assert self._net is not None, "fit first"
        if not len(texts):
            return np.empty(0)
        with torch.no_grad():
            return torch.sigmoid(self._net(self._encode(texts))).numpy().astype(np.float64)
