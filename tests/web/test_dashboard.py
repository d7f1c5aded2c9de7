"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, on `silkgate serve`.

The home is prepared through the Python API (tests/web/_home.py); then, through the REST API
of the running server, the SG owner publishes its claims with an offer and a CN consumer asks
for them under a binding contract and downloads them. The browser signs in as each of them
and as an auditor and reads what the pages show. A screenshot of each page goes to
test-artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests._servers import silkgate_server
from tests.web._home import PERMIT_ALL, PreparedHome, offer_policy, prepare_home

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess, pytest.mark.slow]
DATASET = "sg-lionhealth-claims"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Flow:
    base: str
    prepared: PreparedHome
    decision: dict[str, Any]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    prepared = prepare_home(tmp_path_factory.mktemp("pages") / "home")
    tokens = prepared.tokens
    with silkgate_server(prepared.home) as base, httpx.Client(base_url=base, timeout=60) as api:

        def call(role: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
            answer = api.post(f"/api/v1{path}", json=body,
                              headers={"Authorization": f"Bearer {tokens[role]}"})  # fmt: skip
            assert answer.is_success, answer.text
            result: dict[str, Any] = answer.json()
            return result

        call("owner", "/catalog", {
            "dataset_id": DATASET, "name": "Insurance claims, Singapore",
            "path": prepared.claims_file, "policies": {"members": PERMIT_ALL},
            "keywords": ["claims", "insurance"]})  # fmt: skip
        call("owner", "/offers", {"id": f"{DATASET}-std", "dataset_id": DATASET,
                                  "policy": offer_policy().model_dump(mode="json")})  # fmt: skip
        decision = call("consumer", "/requests", {
            "dataset_id": DATASET, "requester": "cn-gxic", "purpose": "business",
            "mechanisms": ["binding_contract"], "offer_id": f"{DATASET}-std"})  # fmt: skip
        assert decision["verdict"] == "allowed"
        call("consumer", f"/orders/{decision['order_id']}/download")
        yield Flow(base=base, prepared=prepared, decision=decision)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (.ci/run installs it)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _sign_in(page: Page, flow: Flow, role: str, path: str, shot: str | None = None) -> None:
    page.goto(f"{flow.base}{path}")
    assert page.url.startswith(f"{flow.base}/login?next=")
    page.fill("#token", flow.prepared.tokens[role])
    if shot:
        _shoot(page, shot)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{flow.base}{path}")


def _shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def test_the_overview_shows_the_members_and_a_data_page_asks_to_sign_in(
    page: Page, flow: Flow
) -> None:
    page.goto(f"{flow.base}/")
    assert page.locator("#party-count").inner_text() == "4"
    assert page.locator("#parties tbody tr").count() == 4
    assert "Singapore" in page.locator("#parties").inner_text()
    _shoot(page, "overview")
    page.get_by_role("link", name="Decisions").click()
    page.wait_for_url(f"{flow.base}/login?next=%2Fdecisions")
    assert page.locator("h1").inner_text() == "Sign in"


def test_the_owners_published_dataset_and_offer_are_in_the_public_catalog(
    page: Page, flow: Flow
) -> None:
    page.goto(f"{flow.base}/catalog")
    row = page.locator(f"#dataset-{DATASET}")
    assert "published" in row.inner_text()
    assert f"{DATASET}-std" in row.locator(".offers").inner_text()
    assert "USD 120.00/download" in row.inner_text()
    assert page.locator("#datasets tbody tr").count() == 4
    _shoot(page, "catalog")


def test_the_consumers_decision_shows_its_why_trace_and_citations(page: Page, flow: Flow) -> None:
    decision_id = flow.decision["id"]
    _sign_in(page, flow, "consumer", "/decisions", shot="login")
    row = page.locator(f"#decision-{decision_id}")
    assert "allowed" in row.inner_text()
    assert "cn-gxic CN → sg-lionhealth SG" in row.inner_text()
    _shoot(page, "decisions")
    row.get_by_role("link", name=decision_id).click()
    page.wait_for_url(f"{flow.base}/decisions/{decision_id}")
    citations = page.locator("#citations li")
    assert citations.count() == len(flow.decision["citations"]) > 0
    assert flow.decision["citations"][0] in citations.first.inner_text()
    assert page.locator("#trace tbody tr").count() == len(flow.decision["assessment"]["trace"])
    assert page.locator(".stepper .current").inner_text() == "finalized"
    _shoot(page, "decision")


def test_the_consumers_order_stands_finalized_and_its_download_is_billed(
    page: Page, flow: Flow
) -> None:
    order_id = flow.decision["order_id"]
    _sign_in(page, flow, "consumer", "/orders")
    order = page.locator(f"#order-{order_id}")
    assert order.locator(".stepper .current").inner_text() == "finalized"
    assert order.locator(".stepper .reached").count() == 4
    # cn-gxic sees the orders it takes part in: the claims and the VN shipments it asked for,
    # and the SG institute's order for its own outpatient data
    assert page.locator("#orders tbody tr").count() == 3
    _shoot(page, "orders")
    page.get_by_role("link", name="Billing").click()
    page.wait_for_url(f"{flow.base}/billing")
    assert "USD 120.00" in page.locator("#usage").inner_text()
    _shoot(page, "billing")


def test_an_auditor_sees_the_trail_of_the_dataset_and_exports_it(page: Page, flow: Flow) -> None:
    _sign_in(page, flow, "auditor", "/audit")
    page.select_option("select[name=dataset]", DATASET)
    page.get_by_role("button", name="Trail of the dataset").click()
    page.wait_for_url(f"{flow.base}/audit?dataset={DATASET}")
    actions = page.locator("#trail tbody tr td:nth-child(5)").all_inner_texts()
    assert actions[0] == "registered"
    assert {"decision anchored", "downloaded"} <= set(actions)
    assert flow.decision["document_hash"] in page.locator("#trail").inner_text()
    _shoot(page, "audit")
    with page.expect_download() as download:
        page.click("#export-csv")
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv.startswith("at,source,dataset_id")


def test_the_audit_page_is_closed_to_a_consumer(page: Page, flow: Flow) -> None:
    _sign_in(page, flow, "consumer", "/decisions")
    response = page.goto(f"{flow.base}/audit")
    assert response is not None
    assert response.status == 403
    assert "auditor or regulator" in page.locator("#forbidden").inner_text()


def test_the_ledger_explorer_proves_a_transactions_inclusion(page: Page, flow: Flow) -> None:
    _sign_in(page, flow, "auditor", "/ledger")
    assert page.locator("#blocks .block").count() == 10
    _shoot(page, "ledger")
    page.fill("input[name=tx]", flow.decision["ledger_txs"][-1])
    page.get_by_role("button", name="Prove inclusion").click()
    page.wait_for_url(f"{flow.base}/ledger/tx/{flow.decision['ledger_txs'][-1]}")
    assert "verified" in page.locator("#verified").inner_text()
    _shoot(page, "transaction")


def test_the_compute_task_shows_its_result_to_its_receiver(page: Page, flow: Flow) -> None:
    _sign_in(page, flow, "owner", "/compute")
    task = page.locator("#task-dp-mean-cost")
    assert "succeeded" in task.inner_text()
    assert "value" in task.locator(".result").inner_text()
    _shoot(page, "compute")


def test_trust_marks_the_suspended_party(page: Page, flow: Flow) -> None:
    _sign_in(page, flow, "auditor", "/trust")
    assert "suspended" in page.locator("#trust-vn-mekonglog").inner_text()
    assert "suspended" not in page.locator("#trust-cn-gxic").inner_text()
    assert page.locator("#trust-chart rect.suspended").count() == 1
    _shoot(page, "trust")


def test_the_monitor_shows_alerts_with_citations_and_forecast_traffic(
    page: Page, flow: Flow
) -> None:
    _sign_in(page, flow, "auditor", "/monitor")
    compliance = page.locator("#alerts tr.alert-compliance")
    assert compliance.count() > 0
    assert "PIPL" in compliance.first.locator("ul.citations").inner_text()
    assert page.locator("#traffic figure.series").count() == 4
    assert page.locator("#traffic svg polygon.band").count() == 8
    assert page.locator("#traffic svg circle.anomaly").count() > 0
    # the gate's download of the claims happened today, months after the scored traffic
    assert "1 transfer(s) weeks away from this stretch are left out" in page.inner_text("main")
    _shoot(page, "monitor")
