"""Report pages in Chromium: forms that keep input and say what is wrong where, a submit
button that cannot send twice, live progress in two tabs without reloads or layout shifts,
keyboard-only confirmation dialogs, an abort that lost its race, tables at 1280 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import FrameLocator, Page, Route, expect

from app.models.job import Job
from emulator import faults
from emulator.testing import LiveEmulator
from tests.browser.canvas import act_as, authorize_in_popup, open_account_tool, tool_frame
from tests.browser.conftest import ContextFactory
from tests.browser.harness import CookiePolicy, assert_accessible, screenshot
from tests.support.live import LiveTool, LiveWorker

pytestmark = pytest.mark.browser

WORKER_TIMEOUT_MS = 30_000
BOX = "el => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }"


@pytest.fixture
def slow_reports(emulator: LiveEmulator) -> Iterator[None]:
    """Account reports take a minute of (frozen, advanced) emulator time."""
    before = emulator.settings.report_seconds
    emulator.settings.report_seconds = 60.0
    emulator.emulator.store.clock.freeze()
    yield
    emulator.settings.report_seconds = before


def admin_report_page(page: Page, emulator: LiveEmulator, title: str, name: str) -> FrameLocator:
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")
    authorize_in_popup(page, tool, name)
    tool.get_by_role("link", name=f"Run or view history: {title}", exact=True).click()
    expect(tool.get_by_role("heading", level=1)).to_have_text(title)
    return tool


def at_320(new_context: ContextFactory, url: str) -> Page:
    """The tool's page (``url`` carries the launch token) alone on a 320 px screen: Canvas's
    own chrome leaves an iframe no room at that width."""
    narrow = new_context(CookiePolicy.ALLOW_ALL, viewport=(320, 640)).new_page()
    narrow.goto(url)
    return narrow


def no_sideways_scroll(target: Page) -> None:
    overflow = target.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def start_report(tool: FrameLocator) -> None:
    """Start and wait until the worker has created the report in Canvas (at the frozen
    time), so that time advanced afterwards is the report's."""
    tool.locator("form.report-form").get_by_role("button", name="Start report").click()
    row = tool.locator("tr[data-job-id]").first
    expect(row).to_be_visible()
    expect(row).not_to_have_attribute("data-status", "starting", timeout=30_000)


# ---------------------------------------------------------------- forms


def test_reversed_dates_and_no_table_are_inline_errors_that_keep_input(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    tool = admin_report_page(page, emulator, "Students with no submissions", "forms-reversed-dates")
    form_url = tool_frame(page).url
    form = tool.locator("form.report-form")
    form.get_by_label("Term").select_option(label="Fall 2026")
    form.get_by_label("Course", exact=True).select_option("102")
    form.get_by_label("Start date").fill("2026-09-10")
    form.get_by_label("End date").fill("2026-09-01")
    form.get_by_role("checkbox", name="Completed", exact=True).check()
    form.get_by_role("button", name="Start report").click()

    end = form.get_by_label("End date")
    expect(tool.locator("#p_end_at-error")).to_have_text("The end date is before the start date.")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_attribute("aria-describedby", "p_end_at-help p_end_at-error")
    summary = tool.locator("#form-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("The end date is before the start date.")
    expect(form.get_by_label("Start date")).to_have_value("2026-09-10")
    expect(end).to_have_value("2026-09-01")
    expect(form.get_by_label("Term")).to_have_value("1")
    expect(form.get_by_label("Course", exact=True)).to_have_value("102")
    expect(form.get_by_role("checkbox", name="Completed", exact=True)).to_be_checked()
    expect(form.get_by_role("checkbox", name="Active", exact=True)).not_to_be_checked()
    expect(form.get_by_role("button", name="Start report")).to_be_enabled()
    expect(tool.locator("tr[data-job-id]")).to_have_count(0)
    screenshot(page, "report-form-errors-1280")
    assert_accessible(tool_frame(page))
    narrow = at_320(new_context, form_url)
    narrow.get_by_label("Start date").fill("2026-09-10")
    narrow.get_by_label("End date").fill("2026-09-01")
    narrow.get_by_role("button", name="Start report").click()
    expect(narrow.locator("#p_end_at-error")).to_be_visible()
    screenshot(narrow, "report-form-errors-320")
    no_sideways_scroll(narrow)
    assert_accessible(narrow)

    tool.get_by_role("link", name="All account reports").click()
    tool.get_by_role("link", name="Run or view history: Provisioning", exact=True).click()
    form = tool.locator("form.report-form")
    form.get_by_role("checkbox", name="Include deleted items").check()
    form.get_by_role("button", name="Start report").click()
    tables = tool.get_by_role("group", name="Tables to export")
    expect(tool.locator("#p_tables-error")).to_have_text("Choose at least one table to export.")
    expect(tables).to_have_attribute("aria-describedby", "p_tables-help p_tables-error")
    expect(form.get_by_role("checkbox", name="Include deleted items")).to_be_checked()
    expect(tool.locator("tr[data-job-id]")).to_have_count(0)
    screenshot(page, "report-form-no-table-1280")
    assert_accessible(tool_frame(page))


def test_the_submit_button_is_busy_once_and_sends_one_request(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    tool = admin_report_page(page, emulator, "Last User Access", "forms-busy")
    # The tool takes two seconds to answer the start (starts never wait for Canvas, so the
    # browser's request is held here): the form is submitting meanwhile.
    posts: list[str] = []

    def slow(route: Route) -> None:
        if route.request.method == "POST":
            posts.append(route.request.url)
            time.sleep(2.0)
        route.continue_()

    page.route(re.compile(r".*/reports/account/last_user_access_csv(\?.*)?$"), slow)
    form = tool.locator("form.report-form")
    button = form.get_by_role("button", name="Start report")
    # Clicked, double-clicked and Enter pressed inside the page (Playwright's own click
    # would wait for the navigation); a second later the request is still on its way.
    seen = button.evaluate(
        """async b => {
            const t0 = performance.now();
            b.click();
            const busy = [b.disabled, b.getAttribute("aria-busy"),
                          b.form.getAttribute("aria-busy")];
            await new Promise(r => setTimeout(r, 300));  // a moment later, in a new task
            b.click(); b.click();
            b.form.requestSubmit();
            await new Promise(r => setTimeout(r, 700));
            return {busy, still: b.disabled, ms: performance.now() - t0};
        }"""
    )
    assert seen["busy"] == [True, "true", "true"], seen
    assert seen["still"] is True, seen
    expect(tool.locator("tr[data-job-id]")).to_have_count(1, timeout=15_000)
    assert len(posts) == 1, posts  # one request left the browser
    expect(
        tool.locator("form.report-form").get_by_role("button", name="Start report")
    ).to_be_enabled()


# ---------------------------------------------------------------- live progress


@pytest.mark.usefixtures("slow_reports")
def test_progress_updates_live_in_two_tabs_without_layout_shift(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, live_worker: LiveWorker
) -> None:
    clock = emulator.emulator.store.clock
    tool = admin_report_page(page, emulator, "Last User Access", "live-two-tabs")
    start_report(tool)
    second = page.context.new_page()
    second.goto(page.url)
    other = open_account_tool(second, "State University")
    other.get_by_role("link", name="Run or view history: Last User Access", exact=True).click()

    rows = [tab.locator("tr[data-job-id]").first for tab in (tool, other)]
    for row in rows:
        expect(row.locator('[data-field="phase"]')).to_have_text("Queued")
    cell = rows[0].locator(".report-progress-cell")
    before = (rows[0].evaluate(BOX), cell.evaluate(BOX))
    actions_x = rows[0].locator("td").last.evaluate(BOX)

    clock.advance(30)  # half-way: Canvas reports ~50 %
    for row in rows:
        expect(row).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
        expect(row.locator('[data-field="phase"]')).to_have_text("Running")
        bar = row.get_by_role("progressbar")
        expect(bar).not_to_have_attribute("aria-valuenow", "0")
        percent = float(bar.get_attribute("aria-valuenow") or "0")
        assert 0 < percent < 100, percent
        expect(row.locator('[data-field="percent"]')).to_have_text(f"{round(percent)}%")
        expect(row.locator('[data-field="elapsed"]')).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert (rows[0].evaluate(BOX), cell.evaluate(BOX)) == before
    assert rows[0].locator("td").last.evaluate(BOX) == actions_x
    screenshot(page, "live-progress-running-tab-1")
    screenshot(second, "live-progress-running-tab-2")

    clock.advance(60)
    for row in rows:
        expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)
        expect(row).to_have_attribute("data-finished", "1")
        expect(row.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
        expect(row.locator('[data-field="phase"]')).to_have_text("Complete")
        expect(row.locator("a.report-download")).to_be_visible()
    assert (rows[0].evaluate(BOX), cell.evaluate(BOX)) == before
    assert rows[0].locator("td").last.evaluate(BOX) == actions_x
    assert_accessible(tool_frame(page))


# ---------------------------------------------------------------- confirmation dialogs


@pytest.mark.usefixtures("slow_reports")
def test_delete_and_abort_confirm_in_a_dialog_with_the_keyboard_only(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, live_worker: LiveWorker
) -> None:
    clock = emulator.emulator.store.clock
    tool = admin_report_page(page, emulator, "Last User Access", "confirm-keyboard")
    start_report(tool)
    row = tool.locator("tr[data-job-id]").first
    clock.advance(120)
    expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)

    delete = row.get_by_role("button", name="Delete")
    delete.focus()
    page.keyboard.press("Enter")
    dialog = tool.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete this report?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(page, "confirm-dialog-delete")
    assert_accessible(tool_frame(page))
    page.keyboard.press("Escape")  # closes, nothing happens, focus goes back
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    expect(row).to_have_attribute("data-status", "complete")

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Delete")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row).to_have_attribute("data-status", "deleted")
    expect(row.locator('[data-field="status"]')).to_have_text("Deleted")

    faults.add_report_fault(emulator.emulator, "account_report", "stick")
    start_report(tool)
    running = tool.locator("tr[data-job-id]").first
    clock.advance(30)
    expect(running).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
    abort = running.get_by_role("button", name="Abort")
    expect(abort).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    abort.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Abort this report?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(running).to_have_attribute("data-status", "aborted")
    expect(running.get_by_role("button", name="Abort")).to_be_hidden()


@pytest.mark.usefixtures("slow_reports")
def test_abort_that_lost_the_race_says_already_finished_in_place(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    clock = emulator.emulator.store.clock
    tool = admin_report_page(page, emulator, "Last User Access", "abort-race")
    row = tool.locator("tr[data-job-id]").first
    with LiveWorker(live_tool):
        start_report(tool)
        clock.advance(20)
        expect(row).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
    clock.advance(120)  # Canvas finishes; nobody polls it any more
    url = page.url
    row.get_by_role("button", name="Abort").click()
    tool.get_by_role("dialog").get_by_role("button", name="Abort").click()
    expect(row.locator('[data-field="notice"]')).to_have_text(
        "This report had already finished: there was nothing left to abort."
    )
    expect(row).to_have_attribute("data-status", "complete")
    expect(row.locator("a.report-download")).to_be_visible()
    expect(row.get_by_role("button", name="Abort")).to_be_hidden()
    assert page.url == url  # no error page, no navigation
    screenshot(page, "abort-race-already-finished")
    assert_accessible(tool_frame(page))


# ---------------------------------------------------------------- tables


@pytest.mark.usefixtures("slow_reports")
def test_tables_at_1280_keep_actions_visible_with_long_names(
    page: Page,
    new_context: ContextFactory,
    emulator: LiveEmulator,
    live_tool: LiveTool,
    live_worker: LiveWorker,
) -> None:
    clock = emulator.emulator.store.clock
    tool = admin_report_page(page, emulator, "Last User Access", "tables-1280")
    start_report(tool)
    clock.advance(120)
    row = tool.locator("tr[data-job-id]").first
    expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)
    long_name = "last_user_access_" + "very_long_name_" * 12 + ".csv"
    db = live_tool.app.extensions["db"]
    with db.session() as session:
        for job in session.query(Job).all():
            job.file_name = long_name
        session.commit()
    frame = tool_frame(page)
    frame.goto(frame.url)  # the same report page again, now with the long name
    row = tool.locator("tr[data-job-id]").first
    link = row.locator("a.report-download")
    expect(link).to_have_attribute("title", long_name)
    expect(link).to_have_text(long_name)  # the whole name for screen readers
    clipped = link.evaluate("a => a.scrollWidth > a.clientWidth")
    assert clipped, "a long file name is cut with an ellipsis"
    delete = row.get_by_role("button", name="Delete")
    expect(delete).to_be_in_viewport()
    region = tool.locator(".table-scroll").last
    region_box = region.evaluate(BOX)
    delete_box = delete.evaluate(BOX)
    assert delete_box[0] + delete_box[2] <= region_box[0] + region_box[2]
    overflow = region.evaluate("r => r.scrollWidth - r.clientWidth")
    assert overflow <= 0, overflow
    date_cell = row.locator("td").nth(1)
    one_line = date_cell.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return r.getBoundingClientRect().height; }"
    )
    assert 0 < one_line < 30, one_line  # "2026-12-07 21:18" on one line
    screenshot(page, "tables-1280")
    assert_accessible(tool_frame(page))
    narrow = at_320(new_context, tool_frame(page).url)
    expect(narrow.locator("tr[data-job-id]")).to_have_count(1)
    screenshot(narrow, "tables-320")
    no_sideways_scroll(narrow)  # the table scrolls inside its own region
    assert_accessible(narrow)
