"""``GET /api/v1/monitor/alerts``: the monitor's stored alerts, newest first, by kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform
from silkgate.monitor import AlertStore
from tests.web._traffic import write_traffic

pytestmark = pytest.mark.slow


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    init_consortium(platform)
    with TestClient(create_app(platform.settings, platform)) as test_client:
        yield test_client


def _auditor(platform: Platform) -> dict[str, str]:
    token = platform.accounts.issue(label="auditor", roles=["auditor"]).secret
    return {"Authorization": f"Bearer {token}"}


def test_no_alert_is_an_empty_list(client: TestClient, platform: Platform) -> None:
    answer = client.get("/api/v1/monitor/alerts", headers=_auditor(platform))
    assert answer.status_code == 200
    assert answer.json() == []


def test_alerts_come_newest_first_and_by_kind_with_their_citations(
    client: TestClient, platform: Platform
) -> None:
    write_traffic(platform.settings.home)
    stored = AlertStore(platform.settings.home / "monitor" / "alerts.jsonl").alerts()
    headers = _auditor(platform)

    everything = client.get("/api/v1/monitor/alerts", headers=headers).json()
    compliance = client.get("/api/v1/monitor/alerts", params={"kind": "compliance"},
                            headers=headers).json()  # fmt: skip
    two = client.get("/api/v1/monitor/alerts", params={"limit": 2}, headers=headers).json()

    assert len(everything) == len(stored)
    times = [a["ts"] for a in everything]
    assert times == sorted(times, reverse=True)
    assert compliance
    assert {a["kind"] for a in compliance} == {"compliance"}
    assert all(a["citations"] and a["required_any_of"] for a in compliance)
    assert two == everything[:2]
