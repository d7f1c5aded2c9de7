"""The monitor page: the monitor's alerts with their reasons and citations, and the traffic
series per destination with its ARIMA band, drawn as SVG on the server."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform
from silkgate.monitor import AlertStore, TransferEvent, dump_transfers
from tests.web._traffic import write_traffic

pytestmark = pytest.mark.slow
ORIGIN = "http://testserver"


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    init_consortium(platform)
    write_traffic(platform.settings.home)
    with TestClient(create_app(platform.settings, platform), follow_redirects=False) as test_client:
        yield test_client


def _sign_in(client: TestClient, platform: Platform, role: str, party: str | None) -> None:
    token = platform.accounts.issue(label=role, roles=[role], party_id=party).secret
    answer = client.post("/login", data={"token": token}, headers={"Origin": ORIGIN})
    assert answer.status_code == 303


def test_an_auditor_sees_each_alert_with_its_reasons_and_citations(
    client: TestClient, platform: Platform
) -> None:
    alerts = AlertStore(platform.settings.home / "monitor" / "alerts.jsonl").alerts()
    compliance = [a for a in alerts if a.kind == "compliance"]
    assert compliance
    _sign_in(client, platform, "auditor", None)

    page = client.get("/monitor")

    assert page.status_code == 200
    assert page.text.count('<tr class="alert alert-') == len(alerts)
    assert page.text.count("alert-compliance") == len(compliance)
    assert compliance[0].citations[0] in page.text
    reason = next(a for a in alerts if a.kind == "anomaly").reasons[0]
    assert f"{reason.column} {reason.weight:.2f}" in page.text


def test_the_traffic_of_the_busiest_destinations_is_drawn_with_its_forecast_band(
    client: TestClient, platform: Platform
) -> None:
    _sign_in(client, platform, "regulator", None)
    later = TransferEvent(ts=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), exporter="th-siampay",
                          exporter_jurisdiction="TH", importer="cn-gxic",
                          importer_jurisdiction="CN", bytes=5_000)  # fmt: skip
    gate_log = platform.settings.home / "monitor" / "gate-transfers.jsonl"
    gate_log.write_bytes(dump_transfers([later]))

    page = client.get("/monitor", params={"by": "dst_country"})

    charts = re.findall(r'<figure class="series" id="series-\d+">\s*<figcaption><strong>(\w+)',
                        page.text)  # fmt: skip
    assert len(charts) == 4
    assert "US" in charts
    assert page.text.count('<polygon points="') == 2 * len(charts)
    assert page.text.count('class="forecast-line"') == len(charts)
    # the night of bulk exports to the US falls outside the one-step interval
    us = page.text.split("<strong>US</strong>")[1].split("</figure>")[0]
    assert 'class="anomaly"' in us
    assert "1 transfer(s) weeks away from this stretch are left out" in page.text
    by_party = client.get("/monitor", params={"by": "dst_party"})
    assert "<strong>unknown-host</strong>" in by_party.text


def test_the_monitor_page_is_closed_to_a_party_token(
    client: TestClient, platform: Platform
) -> None:
    _sign_in(client, platform, "data_consumer", "cn-gxic")

    answer = client.get("/monitor")

    assert answer.status_code == 403
    assert "auditor or regulator" in answer.text
