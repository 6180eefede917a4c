"""An admin schedules a report, the worker runs it at its slot, and the run shows what changed
since the previous one: in Chromium, with the real worker process and its periodic tick."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from emulator.testing import LiveEmulator
from tests.browser.canvas import act_as, authorize_in_popup, open_account_tool, tool_frame
from tests.browser.harness import assert_accessible, screenshot
from tests.support.live import LiveTool, LiveWorker

pytestmark = pytest.mark.browser

WORKER_TIMEOUT_MS = 30_000
TICK_WAIT_S = 150  # the worker's periodic tick runs once a minute (real time)


def _next_slot_minute() -> int:
    """A cron minute at least 30 s away, so the schedule is saved before its slot."""
    slot = datetime.now(UTC) + timedelta(seconds=90)
    return slot.minute


@pytest.mark.timeout(360)  # the slot is up to two real minutes away
def test_admin_schedules_a_report_and_opens_what_changed(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, live_worker: LiveWorker
) -> None:
    clock = emulator.emulator.store.clock
    report_seconds = emulator.settings.report_seconds
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")
    authorize_in_popup(page, tool, "journey-schedule")
    tool.get_by_role("link", name="Last User Access").first.click()

    # A first run by hand.
    clock.freeze()
    tool.get_by_role("button", name="Start report").click()
    first = tool.locator("tr[data-job-id]").first
    # The worker creates the report in Canvas first (at the frozen time); then time passes.
    expect(first).not_to_have_attribute("data-status", "starting", timeout=WORKER_TIMEOUT_MS)
    clock.advance(report_seconds * 3)
    expect(tool.locator("tr[data-status='complete']")).to_have_count(1, timeout=WORKER_TIMEOUT_MS)

    # Schedule the same report (with deleted users too, so it is its own start).
    tool.get_by_role("link", name="Schedule this report").click()
    tool.get_by_label("How often").select_option("cron")
    tool.get_by_label("Cron expression (custom)").fill(f"{_next_slot_minute()} * * * *")
    tool.get_by_label("Time zone").fill("UTC")
    tool.locator("input[name='p_include_deleted']").check()
    screenshot(page, "journey-schedule-1-form")
    assert_accessible(tool_frame(page))
    tool.get_by_role("button", name="Save schedule").click()
    expect(tool.get_by_test_id("schedule-status")).to_contain_text("Active")
    screenshot(page, "journey-schedule-2-saved")
    assert_accessible(tool_frame(page))

    # The worker's periodic tick starts the run at its slot; Canvas then makes the report.
    frame = tool_frame(page)
    run_link = tool.get_by_test_id("schedule-runs").locator("a[href*='/reports/jobs/']").first
    deadline = time.monotonic() + TICK_WAIT_S
    while time.monotonic() < deadline and run_link.count() == 0:
        time.sleep(5)
        clock.advance(report_seconds)
        frame.goto(frame.url)
    expect(run_link).to_be_visible()
    run_link.click()
    row = tool.locator("tr[data-job-id]").first
    expect(row).not_to_have_attribute("data-status", "starting", timeout=WORKER_TIMEOUT_MS)
    clock.advance(report_seconds * 3)
    expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)

    # Its page compares it with the hand-started run.
    frame.goto(frame.url)
    tool.get_by_role("link", name="Compare with the previous run").click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text("What changed")
    expect(tool.get_by_test_id("diff-summary")).to_be_visible()
    screenshot(page, "journey-schedule-3-diff")
    assert_accessible(tool_frame(page))
