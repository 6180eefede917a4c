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


_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    // inside a scrollable region content may be wider (the region itself may not), unless it
    // is positioned against something outside the region and so escapes its clipping
    const region = el.parentElement && el.parentElement.closest('.table-scroll');
    if (region && !(getComputedStyle(el).position === 'absolute'
                    && getComputedStyle(region).position === 'static')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) wide.push(el.tagName + '.' + el.className);
  }
  return wide.slice(0, 10);
}"""

# A word broken inside it wraps at a character that is neither a space nor a hyphen: the
# Range of its text spans two lines. Checked on the page's prose and table headers.
_BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, .visually-hidden') || !parent.offsetParent) continue;
    const text = node.textContent;
    const words = /[^\\s\\-\\u2013\\u2014/]{2,}/g;
    for (let match = words.exec(text); match; match = words.exec(text)) {
      if (match[0].length > 24) continue;  // a long unbroken token (URL, id) may wrap anywhere
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const lines = new Set(rects.map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken.slice(0, 10);
}"""


def _open_narrow(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, url)
    for summary in page.locator("details.item-detail summary").all()[:2]:
        summary.click()  # open questions too: their answer tables must fit as well


@pytest.mark.parametrize("width", [320, 1280])
def test_student_analysis_page_fits_narrow_screens_without_broken_words(
    world: World, tool_url: str, page: Page, width: int
) -> None:
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    _open_narrow(page, f"{tool_url}/insights/jobs/{job_id}?lt={tina.token}&policy=last", width)
    assert page.evaluate(_OVERFLOW) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.evaluate(_BROKEN_WORDS) == []
    # wide tables scroll inside labelled, focusable regions instead of the page
    for region in page.locator(".table-scroll").all():
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label")
    screenshot(page, f"insights-student-analysis-{width}px")
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, f"insights-student-analysis-{width}px-top", full_page=False)
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [320, 1280])
def test_item_analysis_page_fits_narrow_screens(
    world: World, tool_url: str, page: Page, width: int
) -> None:
    tina = teacher(world)
    job_id = completed(world, tina, "/reports/quiz/201", {"report_type": "item_analysis"})
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{tool_url}/insights/jobs/{job_id}?lt={tina.token}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-scatter')")
    assert page.evaluate(_OVERFLOW) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.evaluate(_BROKEN_WORDS) == []
    screenshot(page, f"insights-item-analysis-{width}px")
    assert axe_violations(page) == []


def test_the_narrow_screen_checks_catch_overflow_and_broken_words(
    world: World, tool_url: str, page: Page
) -> None:
    """Guards the two tests above: the checks fail on a page that breaks words or overflows."""
    tina = teacher(world)
    job_id = student_analysis_job(world, tina)
    _open_narrow(page, f"{tool_url}/insights/jobs/{job_id}?lt={tina.token}", 320)
    # CSSOM changes are allowed under the tool's CSP (no inline <style> needed)
    page.evaluate(
        """() => document.querySelectorAll('main p').forEach(p => {
             p.style.width = '5rem'; p.style.overflowWrap = 'anywhere'; })"""
    )
    assert page.evaluate(_BROKEN_WORDS) != []
    page.evaluate("() => { document.querySelector('h1').style.width = '40rem'; }")
    assert page.evaluate(_OVERFLOW) != []
    assert page.evaluate("() => document.documentElement.scrollWidth") > 320
