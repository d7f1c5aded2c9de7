"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, on `silkgate serve`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._servers import silkgate_server

pytestmark = [pytest.mark.browser, pytest.mark.multiprocess, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dash") / "home"
    subprocess.run(
        [sys.executable, "-m", "silkgate", "--data-dir", str(home), "demo", "--rows", "500"],
        check=True, capture_output=True,
    )  # fmt: skip
    return home


def test_dashboard_shows_members_and_navigates(demo_home: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (.ci/run installs it)"
    ARTIFACTS.mkdir(exist_ok=True)
    with silkgate_server(demo_home) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/")
            assert page.locator("#party-count").inner_text() == "4"
            assert page.locator("#parties tbody tr").count() == 4
            assert "Singapore" in page.locator("#parties").inner_text()
            page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)

            page.get_by_role("link", name="Catalog").click()
            page.wait_for_url(f"{base}/catalog")
            assert page.locator("#datasets tbody tr").count() == 4
            assert "general_4" in page.locator("#datasets").inner_text()
            page.screenshot(path=str(ARTIFACTS / "dashboard-catalog.png"), full_page=True)

            for area in ("Transfers", "Ledger", "Compute", "Monitor"):
                page.get_by_role("link", name=area).click()
                assert page.locator("h1").inner_text() == area
                assert page.locator("nav a[aria-current=page]").inner_text() == area
        finally:
            browser.close()
