"""The ensemble, its label-free threshold, the explanations, and DBSCAN denoising."""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkgate.monitor import Monitor, MonitorConfig, denoise, transfer_events


def _flows(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": 1772359200 + np.arange(rows) * 10.0,
            "bytes_out": rng.normal(2_000, 200, rows).round(),
            "bytes_in": rng.normal(30_000, 3_000, rows).round(),
            "duration_s": rng.gamma(2.0, 0.5, rows),
            "proto": rng.choice(["tcp", "udp"], rows, p=[0.8, 0.2]),
            "dst_port": rng.choice([443, 53], rows),
        }
    )


def test_an_exfiltration_row_scores_above_the_threshold_and_names_its_column() -> None:
    rng = np.random.default_rng(0)
    train, test = _flows(rng, 600), _flows(rng, 50)
    test.loc[7, "bytes_out"] = 5_000_000

    monitor = Monitor(MonitorConfig()).fit(train)
    alerts = monitor.detect(test, compliance=False)

    hit = [a for a in alerts if a.index == 7]
    assert hit, "the injected row raised no alert"
    assert hit[0].score > monitor.threshold
    assert hit[0].reasons[0].column == "bytes_out"
    assert len(alerts) <= 3  # roughly the 1 % contamination, plus the injected row


def test_threshold_puts_about_the_contamination_share_of_training_above_it() -> None:
    train = _flows(np.random.default_rng(1), 1_000)

    monitor = Monitor(MonitorConfig(contamination=0.05)).fit(train)

    share = float((monitor.score(train) > monitor.threshold).mean())
    assert 0.01 <= share <= 0.10


def test_scores_keep_input_order_and_unseen_levels_stand_out() -> None:
    rng = np.random.default_rng(2)
    train, test = _flows(rng, 400), _flows(rng, 20)
    test.loc[3, "proto"] = "gre"

    scores = Monitor().fit(train).score(test)

    assert len(scores) == 20
    assert int(np.argmax(scores)) == 3


def test_dbscan_drops_isolated_training_points() -> None:
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, (300, 2)), [[40.0, 40.0], [-40.0, 35.0]]]).astype(np.float32)

    keep, report = denoise(X, min_samples=5)

    assert not keep[-1]
    assert not keep[-2]
    assert report.noise >= 2
    assert report.noise_share < 0.05


def test_transfer_events_score_with_their_own_features() -> None:
    import datetime as dt

    from silkgate.monitor import TransferEvent

    base = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    events = [
        TransferEvent(ts=base + dt.timedelta(minutes=i), exporter="cn-a",
                      exporter_jurisdiction="CN", importer="sg-b", importer_jurisdiction="SG",
                      bytes=1000 + i % 7, records=10)
        for i in range(200)
    ]  # fmt: skip
    frame = transfer_events(events)

    scores = Monitor().fit(frame).score(frame.iloc[:5])

    assert scores.shape == (5,)
    assert bool(frame["cross_border"].all())


def test_feature_matrix_is_row_major_float32_with_one_hot_and_signed_log() -> None:
    from silkgate.monitor import FeatureBuilder

    train = _flows(np.random.default_rng(4), 300)
    builder = FeatureBuilder().fit(train)
    test = train.head(3).copy()
    test.loc[0, "proto"], test.loc[1, "proto"], test.loc[2, "proto"] = "udp", "tcp", "gre"
    test.loc[2, "bytes_out"] = -float(np.expm1(2.0))

    X = builder.transform(test)

    assert X.dtype == np.float32
    assert X.flags["C_CONTIGUOUS"]
    names = builder.feature_names
    assert X[:, names.index("proto=udp")].tolist() == [1.0, 0.0, 0.0]
    assert X[:, names.index("proto=tcp")].tolist() == [0.0, 1.0, 0.0]
    rarity = X[:, names.index("proto:rarity")]
    assert rarity[2] > rarity[0] > rarity[1]  # unseen level, then the rarer seen one
    stats = next(n for n in builder.numeric if n.name == "bytes_out")
    assert X[2, names.index("bytes_out")] == np.float32((-2.0 - stats.mean) / stats.std)
