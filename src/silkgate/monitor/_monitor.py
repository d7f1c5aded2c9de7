"""The monitor runtime: features, detectors and compliance matching, fitted once, then used.

monitor = Monitor(MonitorConfig()).fit(train_events)
scores = monitor.score(events)        # one float per row, higher = more anomalous
alerts = monitor.detect(events)       # anomaly alerts with reasons, compliance alerts
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from silkgate.domain import Dataset
from silkgate.monitor._alerts import Alert, AlertReason
from silkgate.monitor._compliance import Assess, ComplianceMatcher
from silkgate.monitor._denoise import DenoiseReport, denoise
from silkgate.monitor._detector import Detector, Scores
from silkgate.monitor._ensemble import Ensemble
from silkgate.monitor._errors import IngestError
from silkgate.monitor._features import FeatureBuilder, FeatureConfig
from silkgate.monitor._ingest import read_events
from silkgate.monitor._isolation import IsolationForestDetector
from silkgate.monitor._knn import KnnDetector
from silkgate.monitor._minor import MinorComponentsDetector

DetectorName = Literal["knn", "isolation_forest", "minor_components"]


@dataclass(slots=True)
class MonitorConfig:
    detectors: tuple[DetectorName, ...] = ("knn", "isolation_forest", "minor_components")
    weights: tuple[float, ...] | None = (1.0, 0.1, 1.0)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    denoise: bool = False
    """Drop DBSCAN noise points from the training rows before fitting the detectors."""
    contamination: float = 0.01
    """Share of training rows above the alert threshold (no labels are used)."""
    knn_k: int = 8
    iforest_trees: int = 200
    minor_relative_eigenvalue: float = 0.01
    """Minor components: eigenvalues below this share of the mean eigenvalue."""
    max_train: int = 50_000
    seed: int = 0


def _make(name: DetectorName, config: MonitorConfig) -> Detector:
    if name == "knn":
        return KnnDetector(k=config.knn_k, seed=config.seed)
    if name == "minor_components":
        return MinorComponentsDetector(relative_eigenvalue=config.minor_relative_eigenvalue)
    return IsolationForestDetector(n_estimators=config.iforest_trees, seed=config.seed)


class Monitor:
    def __init__(
        self,
        config: MonitorConfig | None = None,
        *,
        datasets: Mapping[str, Dataset] | None = None,
        assess: Assess | None = None,
    ) -> None:
        self.config = config or MonitorConfig()
        self.features = FeatureBuilder(self.config.features)
        self.ensemble: Ensemble | None = None
        self.denoise_report: DenoiseReport | None = None
        self._datasets = datasets
        self._assess = assess
        self._compliance: ComplianceMatcher | None = None

    def fit(self, events: pd.DataFrame) -> Monitor:
        cfg = self.config
        if len(events) > cfg.max_train:
            events = events.sample(n=cfg.max_train, random_state=cfg.seed).sort_index()
        X = self.features.fit_transform(events)
        if cfg.denoise:
            keep, self.denoise_report = denoise(X, seed=cfg.seed)
            X = X[keep]
        weights = cfg.weights if cfg.weights and len(cfg.weights) == len(cfg.detectors) else None
        self.ensemble = Ensemble(
            [_make(n, cfg) for n in cfg.detectors],
            weights=weights,
            contamination=cfg.contamination,
            seed=cfg.seed,
        ).fit(X)
        return self

    @property
    def threshold(self) -> float:
        assert self.ensemble is not None, "fit first"
        return self.ensemble.threshold

    def score(self, events: pd.DataFrame) -> Scores:
        assert self.ensemble is not None, "fit first"
        if events.empty:
            return np.empty(0)
        return self.ensemble.score(self.features.transform(events))

    def detect(self, events: pd.DataFrame, *, compliance: bool = True) -> list[Alert]:
        """Anomaly alerts (score above the threshold, with the columns that drove them) and,
        when ``compliance``, compliance alerts; ``index`` is the row position in ``events``."""
        assert self.ensemble is not None, "fit first"
        alerts: list[Alert] = []
        if not events.empty:
            X = self.features.transform(events)
            scores = self.ensemble.score(X)
            hits = np.flatnonzero(scores > self.ensemble.threshold)
            if len(hits):
                reasons = self.ensemble.explain(X[hits], self.features.feature_sources)
                ts = events["ts"].to_numpy() if "ts" in events else np.full(len(events), np.nan)
                entity = events.get("dst_country")
                for row, why in zip(hits.tolist(), reasons, strict=True):
                    stamp = ts[row]
                    alerts.append(
                        Alert(
                            kind="anomaly",
                            index=row,
                            score=round(float(scores[row]), 4),
                            threshold=round(self.ensemble.threshold, 4),
                            ts=dt.datetime.fromtimestamp(float(stamp), dt.UTC)
                            if stamp == stamp
                            else None,
                            entity=None if entity is None else _text(entity.iloc[row]),
                            reasons=tuple(
                                AlertReason(column=r.column, weight=r.weight) for r in why
                            ),
                            message="unusual " + ", ".join(r.column for r in why),
                        )
                    )
        if compliance and not events.empty:
            if self._compliance is None:
                self._compliance = ComplianceMatcher(assess=self._assess, datasets=self._datasets)
            alerts.extend(self._compliance.match(events))
        return alerts


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    train_rows: int
    rows: int
    features: int
    threshold: float
    above_threshold: int
    format: str


def score_file(
    train: Path,
    input: Path,
    out: Path,
    *,
    format: str = "auto",
    ignore_columns: tuple[str, ...] = (),
    config: MonitorConfig | None = None,
) -> ScoreSummary:
    """``silkgate monitor score``: fit on TRAIN, write ``index,score`` for every INPUT row."""
    train_events = read_events(train, format)
    input_events = read_events(input, format)
    if input_events.empty:
        raise IngestError(f"{input}: no records to score", field="--input")
    cfg = config or MonitorConfig()
    cfg.features.ignore = frozenset(cfg.features.ignore | set(ignore_columns))
    monitor = Monitor(cfg).fit(train_events)
    scores = monitor.score(input_events)
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"index": np.arange(len(scores)), "score": np.round(scores, 6)}).to_csv(
        out, index=False
    )
    return ScoreSummary(
        train_rows=len(train_events),
        rows=len(scores),
        features=len(monitor.features.feature_names),
        threshold=monitor.threshold,
        above_threshold=int((scores > monitor.threshold).sum()),
        format=format,
    )
