"""The security monitor: ingest flow and transfer logs, detect anomalies, match compliance."""

from silkgate.monitor._alerts import Alert, AlertKind, AlertReason, AlertStore
from silkgate.monitor._art import ArtDetector
from silkgate.monitor._compliance import ComplianceMatcher
from silkgate.monitor._content import ContentSensitivityModel
from silkgate.monitor._denoise import DenoiseReport, denoise
from silkgate.monitor._detector import Detector
from silkgate.monitor._enrich import Enricher
from silkgate.monitor._ensemble import Ensemble, Reason
from silkgate.monitor._errors import IngestError, MonitorError, StreamError, UnknownFormat
from silkgate.monitor._features import FeatureBuilder, FeatureConfig
from silkgate.monitor._forecast import Forecast, forecast_series, plot_forecasts
from silkgate.monitor._ingest import FORMATS, Format, detect_format, read_events
from silkgate.monitor._isolation import IsolationForestDetector
from silkgate.monitor._knn import KnnDetector
from silkgate.monitor._likelihood import anomaly_likelihood
from silkgate.monitor._lstm import LstmSeriesDetector
from silkgate.monitor._minor import MinorComponentsDetector
from silkgate.monitor._monitor import Monitor, MonitorConfig, ScoreSummary, score_file
from silkgate.monitor._novelty import NoveltyDetector
from silkgate.monitor._schema import EVENT_COLUMNS
from silkgate.monitor._series import entity_series
from silkgate.monitor._stream import (
    StreamStats,
    events_from_json_lines,
    publish_batches,
    run_stream,
    score_stream,
)
from silkgate.monitor._topics import TopicModel
from silkgate.monitor._transfers import TransferEvent, dump_transfers, transfer_events

__all__ = [
    "EVENT_COLUMNS",
    "FORMATS",
    "Alert",
    "AlertKind",
    "AlertReason",
    "AlertStore",
    "ArtDetector",
    "ComplianceMatcher",
    "ContentSensitivityModel",
    "DenoiseReport",
    "Detector",
    "Enricher",
    "Ensemble",
    "FeatureBuilder",
    "FeatureConfig",
    "Forecast",
    "Format",
    "IngestError",
    "IsolationForestDetector",
    "KnnDetector",
    "LstmSeriesDetector",
    "MinorComponentsDetector",
    "Monitor",
    "MonitorConfig",
    "MonitorError",
    "NoveltyDetector",
    "Reason",
    "ScoreSummary",
    "StreamError",
    "StreamStats",
    "TopicModel",
    "TransferEvent",
    "UnknownFormat",
    "anomaly_likelihood",
    "denoise",
    "detect_format",
    "dump_transfers",
    "entity_series",
    "events_from_json_lines",
    "forecast_series",
    "plot_forecasts",
    "publish_batches",
    "read_events",
    "run_stream",
    "score_file",
    "score_stream",
    "transfer_events",
]
