"""The ops dashboard in a real browser (Debian's headless Chromium, driven by Selenium)
against the real stack: its counts match the receiver, the item search shows the payload
the receiver holds, and its resync button sends the item again. Saves a screenshot."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from feedsync.dashboard.server import serve_in_background
from feedsync.settings import REPO_ROOT, load_settings
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from tests.integration.pipeline import Pipeline
from tests.integration.receiver import free_port

pytestmark = pytest.mark.integration

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOT = REPO_ROOT / ".state" / "dashboard.png"


@pytest.fixture(scope="module")
def dashboard(ops_pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    metrics = ops_pipeline.settings.metrics
    log = (tmp_path_factory.mktemp("dashboard") / "dashboard.log").open("wb")
    process = subprocess.Popen(
        [
            FEEDSYNC,
            "dashboard",
            "--port",
            str(port),
            "--metrics",
            f"http://{metrics.host}:{metrics.port}/metrics",
        ],
        env={**ops_pipeline.worker.env, "FEEDSYNC_DASHBOARD__REFRESH_S": "2"},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ops_pipeline.wait_until(lambda: _answers(f"{url}/api/overview"), "the dashboard up", 60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium missing: deploy/local/bootstrap --browser installs it")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def cell(browser: WebDriver, feed: str, column: str) -> int:
    found = browser.find_element(By.CSS_SELECTOR, f"tr[data-feed='{feed}'] td.{column}")
    return int(found.text or 0)


def test_the_dashboard_shows_the_receivers_counts_finds_an_item_and_resyncs_it(
    ops_pipeline: Pipeline, dashboard: str, browser: WebDriver
) -> None:
    browser.get(dashboard)
    held = ops_pipeline.receiver.items("products")

    def counts_match() -> bool:
        browser.refresh()
        rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-feed='products']")
        if not rows:
            return False
        answered = cell(browser, "products", "delivered") + cell(browser, "products", "unchanged")
        source = browser.find_element(By.CSS_SELECTOR, "tr[data-feed='products'] td.source")
        in_database = int(source.text.split("/")[-1]) if "/" in source.text else -1
        current = sum(1 for payload in held.values() if not payload.get("deleted"))
        return (
            answered == len(held)
            and cell(browser, "products", "needs_attention") == 0
            and in_database == current
        )

    ops_pipeline.wait_until(counts_match, "the page's products counts equal the receiver's", 120)
    assert "RUNNING" in browser.find_element(By.ID, "connector").text
    assert "Stable" in browser.find_element(By.ID, "workers").text
    # caught up: every stage of the feed 0 s behind, and the stages upstream shown
    behind = browser.find_element(By.CSS_SELECTOR, "tr[data-feed='products'] td.behind").text
    assert behind == "0 s / 0 s / 0 s"
    assert "s behind" in browser.find_element(By.ID, "backlog").text

    item_id, payload = sorted(
        (i, p) for i, p in held.items() if not p.get("deleted") and p.get("storeViewCode")
    )[0]
    sku = payload["sku"]
    search = browser.find_element(By.ID, "q")
    search.clear()
    search.send_keys(sku)
    browser.find_element(By.CSS_SELECTOR, "#search button").click()
    found = f"#results .item[data-feed='products'][data-id='{item_id}']"
    ops_pipeline.wait_until(
        lambda: bool(browser.find_elements(By.CSS_SELECTOR, found)), "the search result", 60
    )
    shown = json.loads(browser.find_element(By.CSS_SELECTOR, f"{found} pre.payload").text)
    assert shown["sku"] == sku
    assert {k: v for k, v in shown.items() if k != "modifiedAt"} == {
        k: v for k, v in payload.items() if k in shown and k != "modifiedAt"
    }
    assert "delivered" in browser.find_element(By.CSS_SELECTOR, found).text

    began = time.time()
    browser.find_element(By.CSS_SELECTOR, f"{found} button.resync-item").click()
    ops_pipeline.wait_until(
        lambda: item_id in ops_pipeline.receiver.received_since("products", began),
        "the item sent again by the page's resync",
        120,
    )
    message = browser.find_element(By.ID, "message")
    ops_pipeline.wait_until(lambda: "1 sent" in message.text, "the action's report", 60)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))


def test_a_token_guards_the_api_and_other_addresses_need_one(ops_pipeline: Pipeline) -> None:
    refused = subprocess.run(
        [FEEDSYNC, "dashboard", "--host", "0.0.0.0", "--port", str(free_port())],
        env=ops_pipeline.worker.env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert b"FEEDSYNC_DASHBOARD__TOKEN" in refused.stderr

    port = free_port()
    env = {**ops_pipeline.worker.env, "FEEDSYNC_DASHBOARD__TOKEN": "s3cret-token"}
    process = subprocess.Popen(
        [FEEDSYNC, "dashboard", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/items?q=nothing"
    try:
        ops_pipeline.wait_until(lambda: _status(url) == 401, "the API refusing a caller without it")
        authorised = httpx.get(url, headers={"Authorization": "Bearer s3cret-token"}, timeout=60)
        assert authorised.status_code == 200
        assert authorised.json() == {"query": "nothing", "items": []}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=30).status_code
    except httpx.HTTPError:
        return None


def test_a_worker_serves_the_page_from_a_thread_of_its_own(stack: Stack) -> None:
    port = free_port()
    settings = load_settings(dashboard={"port": port, "refresh_s": 3600})
    thread = serve_in_background(settings, [], [])  # as `feedsync worker --dashboard` does
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.1)  # polling a condition under a deadline
    assert thread.is_alive()
    assert response.status_code == 200
    assert "feedsync" in response.text
