"""Full journeys in Chromium, as a person clicks them, with the job worker running.

Report generation in the emulator follows the emulator's clock, which the tests freeze and
advance; the worker and the page pick the change up on their own schedule, so assertions wait
for what a person would see (Playwright's ``expect`` retries) instead of sleeping.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from emulator.testing import LiveEmulator
from tests.browser.canvas import (
    act_as,
    authorize_in_popup,
    open_account_tool,
    open_course_tool,
    tool_frame,
)
from tests.browser.harness import assert_accessible, screenshot
from tests.support.live import LiveTool, LiveWorker

pytestmark = pytest.mark.browser

WORKER_TIMEOUT_MS = 30_000  # the worker's first polls come a few seconds apart


@pytest.fixture(params=["cookies-allowed", "cookies-blocked"])
def browser_page(request: pytest.FixtureRequest) -> Page:
    """The journey's page: third-party cookies allowed, or the tool's cookies refused in Canvas."""
    name = "page" if request.param == "cookies-allowed" else "blocked_page"
    page: Page = request.getfixturevalue(name)
    return page


def test_teacher_runs_item_analysis_watches_progress_opens_insights_and_downloads(
    browser_page: Page,
    emulator: LiveEmulator,
    live_tool: LiveTool,
    live_worker: LiveWorker,
    request: pytest.FixtureRequest,
) -> None:
    page = browser_page
    mode = request.node.callspec.params["browser_page"]
    clock = emulator.emulator.store.clock
    report_seconds = emulator.settings.report_seconds

    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")  # the course's reports, asking for Canvas
    authorize_in_popup(page, tool, f"journey-teacher-{mode}")
    expect(tool.get_by_role("link", name="Cell Biology Midterm")).to_be_visible()
    screenshot(page, f"journey-teacher-{mode}-1-course-reports")
    assert_accessible(tool_frame(page))

    tool.get_by_role("link", name="Cell Biology Midterm").click()
    clock.freeze()
    tool.get_by_role("button", name="Generate Item Analysis").click()
    row = tool.locator("tr[data-job-id]").first
    expect(row).to_contain_text("Item Analysis")
    progress = row.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    # The request recorded the start; the worker asks Canvas (at the frozen time) first.
    expect(row).to_have_attribute("data-status", "queued", timeout=WORKER_TIMEOUT_MS)
    # The "In Canvas" box is bound to the same job and follows the same poll.
    in_canvas = tool.locator(".report-canvas-list li[data-job-id]")
    expect(in_canvas).to_have_text(re.compile(r"Item Analysis:\s+being generated"))
    screenshot(page, f"journey-teacher-{mode}-2-queued")

    clock.advance(report_seconds * 0.55)  # Canvas is part-way through the report
    expect(row).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
    percent = int(progress.get_attribute("aria-valuenow") or "0")
    assert 0 < percent < 100, percent
    screenshot(page, f"journey-teacher-{mode}-3-running")

    clock.advance(report_seconds * 2)
    expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(in_canvas).to_have_text(re.compile(r"Item Analysis:\s+generated \u2014 .+\.csv"))
    expect(tool.locator("[aria-live]").first).not_to_be_empty()
    screenshot(page, f"journey-teacher-{mode}-4-complete")
    assert_accessible(tool_frame(page))

    with page.expect_download() as downloading:
        row.locator("a.report-download").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".csv")
    saved = download.path()
    header = next(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert "Question Id" in header

    row.get_by_role("link", name="Insights").click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text("Cell Biology Midterm")
    screenshot(page, f"journey-teacher-{mode}-5-insights")
    assert_accessible(tool_frame(page))

    if mode == "cookies-blocked":
        assert page.context.cookies(live_tool.url) == []


def test_admin_starts_a_provisioning_report_aborts_one_and_downloads_another(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, live_worker: LiveWorker
) -> None:
    clock = emulator.emulator.store.clock
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")  # the catalogue, asking for Canvas
    authorize_in_popup(page, tool, "journey-admin")
    catalogue = tool.get_by_role("link", name="Provisioning")
    expect(catalogue.first).to_be_visible()
    screenshot(page, "journey-admin-1-catalogue")
    assert_accessible(tool_frame(page))

    clock.freeze()
    catalogue.first.click()
    form = tool.locator("form.report-form")
    form.get_by_role("checkbox", name="Users", exact=True).check()
    screenshot(page, "journey-admin-2-form")
    assert_accessible(tool_frame(page))
    form.get_by_role("button", name="Start report").click()
    first = tool.locator("tr[data-job-id]").first
    expect(first).to_be_visible()
    # The request recorded the start; the worker asks Canvas (at the frozen time) first.
    expect(first).to_have_attribute("data-status", "queued", timeout=WORKER_TIMEOUT_MS)

    clock.advance(emulator.settings.report_seconds * 0.5)
    expect(first).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
    first.get_by_role("button", name="Abort").click()
    tool.get_by_role("dialog").get_by_role("button", name="Abort").click()
    aborted = tool.locator("tr[data-status='aborted']")
    expect(aborted).to_have_count(1, timeout=WORKER_TIMEOUT_MS)
    screenshot(page, "journey-admin-3-aborted")

    form = tool.locator("form.report-form")
    form.get_by_role("checkbox", name="Courses", exact=True).check()
    form.get_by_role("button", name="Start report").click()
    expect(tool.locator("tr[data-job-id]")).to_have_count(2)
    starting = tool.locator("tr[data-status='starting']")
    expect(starting).to_have_count(0, timeout=WORKER_TIMEOUT_MS)  # Canvas has the new report
    clock.advance(emulator.settings.report_seconds * 3)
    done = tool.locator("tr[data-status='complete']")
    expect(done).to_have_count(1, timeout=WORKER_TIMEOUT_MS)
    with page.expect_download() as downloading:
        done.locator("a.report-download").click()
    assert downloading.value.suggested_filename
    screenshot(page, "journey-admin-4-complete")


def test_student_is_refused_politely(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Stu")
    page.goto(f"{emulator.url}/courses/101")
    nav = page.get_by_role("navigation", name="Course navigation")
    # The tool's configuration shows the placement to course staff only, so Canvas hides it.
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)

    # A school may show it to everyone: then the tool itself must refuse, politely.
    show_course_navigation_to_everyone(emulator)
    page.reload()
    nav.get_by_role("link", name="Reports").click()
    tool = page.frame_locator("#tool_content")
    expect(tool.get_by_role("heading", level=1)).to_contain_text("access")
    text = tool.locator("body").inner_text()
    assert "Traceback" not in text
    assert "teachers" in text, text  # says who may use it
    screenshot(page, "journey-student-refused")
    assert_accessible(tool_frame(page))


def show_course_navigation_to_everyone(emulator: LiveEmulator) -> None:
    """Edit the registered tool's course_navigation placement (in the emulator's store)."""
    store = emulator.emulator.store
    with store.lock:
        for key in store.developer_keys.values():
            if key.kind != "lti" or key.lti_config is None:
                continue
            for extension in key.lti_config.get("extensions", []):
                for placement in extension.get("settings", {}).get("placements", []):
                    if placement.get("placement") == "course_navigation":
                        placement["visibility"] = "members"
