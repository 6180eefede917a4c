"""The insights page in Chromium: charts draw under the real CSP, keyboard use, axe-clean.

The tool is served on a free port and opened directly with a launch token in the URL (a GET
page may carry ``?lt=``), so no LTI round trip is needed to look at the page itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, Response, sync_playwright
from werkzeug.serving import make_server

from emulator.testing import LiveEmulator
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, axe_violations, screenshot
from tests.integration.reports_harness import World, world_for
from tests.integration.test_insights_view import completed, student_analysis_job, teacher
from tests.support.services import unavailable

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


@pytest.fixture
def tool_url(world: World) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, world.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page() -> Iterator[Page]:
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (install Debian's chromium)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        opened = browser.new_page(viewport={"width": 1100, "height": 900})
        opened.set_default_timeout(10_000)
        yield opened
        browser.close()


def _open(page: Page, url: str) -> list[str]:
    """Open ``url``; return console errors (CSP violations among them) and failed loads."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        # browsers ask for /favicon.ico on their own; the tool has none
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-scatter')")
    return problems


def test_student_analysis_page_draws_charts_and_is_keyboard_usable(
    world: World, tool_url: str, page: Page
) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    problems = _open(page, f"{tool_url}/insights/jobs/{job_id}?lt={tina.token}")
    assert page.evaluate("() => Chart.getChart('chart-histogram').data.datasets[0].data.length")
    flagged = page.evaluate("() => Chart.getChart('chart-scatter').data.datasets[1].data.length")
    # every question with a "review" flag is a triangle in the scatter plot
    assert flagged == page.locator("tr[id^='row-']:has(.flag-review)").count() > 0
    # keyboard: a chart takes focus; a question opens with Enter and draws its answer chart
    page.locator("#chart-histogram").focus()
    assert page.evaluate("() => document.activeElement.id") == "chart-histogram"
    summary = page.locator("#item-6 summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('[data-options-chart=\"6\"]'))"
    )
    screenshot(page, "insights-student-analysis")
    assert axe_violations(page) == []
    assert problems == []


def test_item_analysis_page_draws_and_is_axe_clean(world: World, tool_url: str, page: Page) -> None:
    tina = teacher(world)
    job_id = completed(
        world, tina, "/reports/new_quiz/301", {"report_type": "item_analysis", "format": "json"}
    )
    problems = _open(page, f"{tool_url}/insights/jobs/{job_id}?lt={tina.token}")
    page.locator("#item-0 summary").click()
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('[data-options-chart=\"0\"]'))"
    )
    screenshot(page, "insights-new-quizzes-item-analysis")
    assert axe_violations(page) == []
    assert problems == []
