"""Compliance alerts: personal data where the rules would not let it go, with citations."""

from __future__ import annotations

import datetime as dt

import pytest

from silkgate.monitor import ComplianceMatcher, TransferEvent, transfer_events


def _event(**changes: object) -> TransferEvent:
    values: dict[str, object] = {
        "ts": dt.datetime(2026, 3, 1, tzinfo=dt.UTC), "exporter": "cn-gxic",
        "exporter_jurisdiction": "CN", "importer": "us-x", "importer_jurisdiction": "US",
        "personal": True, "subjects": 200_000, "sensitive_subjects": 20_000,
        "categories": {"health", "identifier"}, "bytes": 10_000_000, "records": 200_000,
    }  # fmt: skip
    values.update(changes)
    return TransferEvent.model_validate(values)


def test_health_data_from_cn_without_mechanism_raises_alert_with_citations() -> None:
    alerts = ComplianceMatcher().match(transfer_events([_event()]))

    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.kind == "compliance"
    assert alert.verdict in ("conditional", "prohibited")
    assert alert.citations
    assert alert.entity == "CN->US"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"grant": "grant-7"}, id="a-grant-covers-it"),
        pytest.param(
            {"personal": False, "subjects": 0, "sensitive_subjects": 0, "categories": {"business"}},
            id="not-personal",
        ),
        pytest.param({"importer_jurisdiction": "CN"}, id="domestic"),
    ],
)
def test_no_alert(changes: dict[str, object]) -> None:
    assert ComplianceMatcher().match(transfer_events([_event(**changes)])) == []


def test_same_facts_are_assessed_once() -> None:
    calls: list[object] = []
    from silkgate.rules import assess

    def counting(request):  # type: ignore[no-untyped-def]
        calls.append(request)
        return assess(request)

    alerts = ComplianceMatcher(assess=counting).match(transfer_events([_event(), _event()]))

    assert len(alerts) == 2
    assert len(calls) == 1
