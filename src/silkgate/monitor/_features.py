"""Turn an event frame into a numeric matrix: the scikit-learn-style fit/transform step.

Numeric columns get a signed log1p, median imputation and standardisation; categorical
columns a one-hot of their commonest levels plus a rarity feature (-log of the level's
share in training, so unseen levels stand out); text fields a Word2Vec embedding. IP
addresses, timestamps and the context columns are never features; nor is anything the
caller names in ``ignore``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from silkgate.monitor._embed import TextEmbedder, tokens
from silkgate.monitor._errors import IngestError
from silkgate.monitor._schema import TEXT_FIELDS

Matrix = npt.NDArray[np.float32]

NEVER_FEATURES = frozenset(
    {"ts", "source", "src_ip", "dst_ip", "uid", "flow_id", "timestamp", "content", "grant",
     "mechanisms", "categories"}
)  # fmt: skip


@dataclass(slots=True)
class FeatureConfig:
    """How columns become features."""

    max_levels: int = 100
    """One-hot at most this many levels of a categorical column (the commonest)."""
    embed_text: bool = True
    """Word2Vec-embed text fields with more distinct values than ``max_levels``."""
    embedding_dim: int = 8
    rarity_weight: float = 1.0
    onehot_weight: float = 1.0
    std_floor: float = 1e-3
    """Standard deviations below this are raised to it; a constant column gets 1."""
    ignore: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Numeric:
    name: str
    median: float
    mean: float
    std: float


@dataclass(slots=True)
class _Categorical:
    name: str
    levels: list[str]
    log_share: dict[str, float]
    unseen: float
    rarity_mean: float
    rarity_std: float
    embed: bool = False


@dataclass(slots=True)
class FeatureBuilder:
    """Fit on training events, then transform any events of the same kind into a matrix.

    ``feature_names[i]`` names column ``i``; ``feature_sources[i]`` the input column it came
    from (what explanations report).
    """

    config: FeatureConfig = field(default_factory=FeatureConfig)
    numeric: list[_Numeric] = field(default_factory=list)
    categorical: list[_Categorical] = field(default_factory=list)
    embedder: TextEmbedder | None = None
    embed_mean: npt.NDArray[np.float32] | None = None
    embed_std: npt.NDArray[np.float32] | None = None
    feature_names: list[str] = field(default_factory=list)
    feature_sources: list[str] = field(default_factory=list)

    def fit(self, events: pd.DataFrame) -> FeatureBuilder:
        if events.empty:
            raise IngestError("no training records to fit on", field="--train")
        cfg = self.config
        missing = sorted(cfg.ignore - set(map(str, events.columns)))
        del missing  # ignoring a column that is absent is harmless
        self.numeric, self.categorical = [], []
        for name in events.columns:
            column = str(name)
            if column in cfg.ignore or column in NEVER_FEATURES:
                continue
            values = events[name]
            if values.isna().all():
                continue
            numeric = _as_numeric(values)
            if numeric is not None:
                logged = _slog(numeric)
                median = float(np.nanmedian(logged)) if np.isfinite(logged).any() else 0.0
                filled = np.where(np.isnan(logged), median, logged)
                spread = float(filled.std())
                # A column constant in training still counts: any change from it is news.
                std = max(spread, cfg.std_floor) if spread > 0 else 1.0
                self.numeric.append(_Numeric(column, median, float(filled.mean()), std))
                continue
            text = values.astype("string").fillna("")
            if _looks_like_ip(text):
                continue
            counts = text.value_counts()
            if len(counts) <= 1:
                continue
            share = counts / counts.sum()
            log_share = {str(k): float(-np.log(v)) for k, v in share.items()}
            unseen = float(np.log(2.0 * len(text)))
            rarity = text.map(log_share).to_numpy(dtype=float)
            levels = (
                [str(v) for v in counts.index[: cfg.max_levels]]
                if len(counts) < len(text) // 2 or len(counts) <= cfg.max_levels
                else []
            )
            self.categorical.append(
                _Categorical(
                    column,
                    levels,
                    log_share,
                    unseen,
                    float(rarity.mean()),
                    float(rarity.std()) or 1.0,
                    embed=cfg.embed_text and column in TEXT_FIELDS and len(counts) > cfg.max_levels,
                )
            )
        self.embedder = None
        embedded = [c.name for c in self.categorical if c.embed]
        if embedded:
            self.embedder = TextEmbedder(dim=cfg.embedding_dim).fit(_sentences(events, embedded))
        self._name_features()
        if not self.feature_names:
            raise IngestError(
                "no usable feature columns in the training data (all constant, empty, "
                "addresses or ignored)",
                field="--train",
            )
        if self.embedder is not None:
            raw = self._embeddings(events)
            self.embed_mean = raw.mean(axis=0)
            self.embed_std = np.maximum(raw.std(axis=0), np.float32(cfg.std_floor))
        return self

    def _name_features(self) -> None:
        names: list[str] = []
        sources: list[str] = []
        for num in self.numeric:
            names.append(num.name)
            sources.append(num.name)
        for cat in self.categorical:
            names.append(f"{cat.name}:rarity")
            sources.append(cat.name)
            for level in cat.levels:
                names.append(f"{cat.name}={level}")
                sources.append(cat.name)
        if self.embedder is not None:
            for cat in self.categorical:
                if cat.embed:
                    for i in range(self.config.embedding_dim):
                        names.append(f"{cat.name}:w2v{i}")
                        sources.append(cat.name)
        self.feature_names, self.feature_sources = names, sources

    def _embeddings(self, events: pd.DataFrame) -> Matrix:
        assert self.embedder is not None
        blocks = []
        for cat in self.categorical:
            if not cat.embed:
                continue
            values = events[cat.name] if cat.name in events else pd.Series([""] * len(events))
            codes, uniques = pd.factorize(values.astype("string").fillna(""))
            table = self.embedder.embed(list(uniques))
            blocks.append(table[codes] if len(uniques) else np.zeros((len(events), 0)))
        return np.hstack(blocks).astype(np.float32)

    def transform(self, events: pd.DataFrame) -> Matrix:
        """The feature matrix of ``events``; columns missing from them count as missing values."""
        cfg = self.config
        rows = len(events)
        # Filled column by column, so column-major; returned row-major for the detectors.
        out = np.empty((rows, len(self.feature_names)), dtype=np.float32, order="F")
        j = 0
        for num in self.numeric:
            if num.name in events:
                converted = _as_numeric(events[num.name], force=True)
                assert converted is not None
                logged = _slog(converted)
                logged = np.where(np.isnan(logged), num.median, logged)
            else:
                logged = np.full(rows, num.median)
            out[:, j] = (logged - num.mean) / num.std
            j += 1
        for cat in self.categorical:
            present = cat.name in events
            values = events[cat.name] if present else pd.Series([""] * rows, index=events.index)
            codes, uniques = pd.factorize(values.astype("string").fillna(""))
            keys = [str(u) for u in uniques]
            rarity = np.array([cat.log_share.get(k, cat.unseen) for k in keys] + [cat.unseen])
            out[:, j] = cfg.rarity_weight * (rarity[codes] - cat.rarity_mean) / cat.rarity_std
            j += 1
            if cat.levels:
                position = {level: i for i, level in enumerate(cat.levels)}
                slot = np.array([position.get(k, -1) for k in keys] + [-1])[codes]
                block = out[:, j : j + len(cat.levels)]
                block[:] = 0.0
                hit = slot >= 0
                block[np.flatnonzero(hit), slot[hit]] = cfg.onehot_weight
                j += len(cat.levels)
        if self.embedder is not None:
            assert self.embed_mean is not None
            assert self.embed_std is not None
            emb = (self._embeddings(events) - self.embed_mean) / self.embed_std
            out[:, j : j + emb.shape[1]] = emb
            j += emb.shape[1]
        return np.ascontiguousarray(out)

    def fit_transform(self, events: pd.DataFrame) -> Matrix:
        return self.fit(events).transform(events)


def _slog(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(np.copysign(np.log1p(np.abs(values)), values), dtype=np.float64)


def _as_numeric(values: pd.Series, *, force: bool = False) -> npt.NDArray[np.float64] | None:
    """The column as floats, or None when it is not mostly numbers (unless ``force``)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64").to_numpy()
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64").to_numpy(na_value=np.nan)
    converted = pd.to_numeric(values, errors="coerce")
    if force:
        return converted.astype("float64").to_numpy(na_value=np.nan)
    present = values.notna() & (values.astype("string") != "")
    if present.sum() and converted[present].notna().mean() >= 0.95:
        return converted.astype("float64").to_numpy(na_value=np.nan)
    return None


def _looks_like_ip(values: pd.Series) -> bool:
    sample = [v for v in values.head(50).tolist() if v]
    if not sample:
        return False

    def is_ip(v: str) -> bool:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            return False
        return True

    return sum(is_ip(str(v)) for v in sample) >= 0.9 * len(sample)


def _sentences(events: pd.DataFrame, columns: Iterable[str]) -> list[list[str]]:
    frame = events[list(columns)].astype("string").fillna("")
    joined = frame.drop_duplicates().agg(" ".join, axis=1)
    return [tokens(s) for s in joined.tolist()]
