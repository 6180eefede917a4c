"""Every placement lands where the user is, in Chromium, in both emulator modes.

- ``none`` (Canvas's real behaviour): a quiz/assignment menu launch names no item, so the
  quiz placement shows the picker; ``custom`` (a Canvas that names it): the quiz itself.
- Course navigation → the course's reports; account navigation → the catalogue; both ask
  for Canvas in place and, after consent, show what the user wanted.
- Course navigation → quiz analysis → insights in at most three clicks.
- Error pages: the way back works and what was typed is kept.

Each new page is checked with axe and saved at 320 and 1280 px under
``test-output/screenshots/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from emulator.lti.options import set_quiz_id_mode
from emulator.testing import LiveEmulator
from tests.browser.canvas import (
    TOOL_FRAME,
    act_as,
    authorize_in_popup,
    open_account_tool,
    open_course_tool,
    open_quiz_tool,
    tool_frame,
)
from tests.browser.conftest import ContextFactory
from tests.browser.harness import CookiePolicy, assert_accessible, screenshot
from tests.support.live import LiveTool, LiveWorker

pytestmark = pytest.mark.browser

WORKER_TIMEOUT_MS = 30_000
WIDTHS = (320, 1280)


def open_assignment_tool(page: Page, course_name: str, assignment: str) -> FrameLocator:
    """Course → Assignments → the assignment's ⋮ menu → the tool's assignment-menu entry."""
    page.get_by_role("link", name=course_name).first.click()
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Assignments"
    ).click()
    page.get_by_label(f"Manage {assignment}").click()
    page.locator("details[open]").get_by_role("link", name="Quiz analysis").click()
    return page.frame_locator(TOOL_FRAME)


def capture(
    page: Page, new_context: ContextFactory, name: str, *, url: str = "", script: str = ""
) -> None:
    """Axe on the tool's frame, then the tool's page itself at 320 and 1280 px (a POST's
    answer: open ``url`` and run ``script``, which posts the same form again)."""
    assert_accessible(tool_frame(page))
    url = url or tool_frame(page).url
    for width in WIDTHS:
        other = new_context(CookiePolicy.ALLOW_ALL, viewport=(width, 800)).new_page()
        other.goto(url)
        if script:
            with other.expect_navigation():
                other.evaluate(script)
            assert_accessible(other)
        overflow = other.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        screenshot(other, f"flow-{name}-{width}px")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        other.context.close()


# ------------------------------------------------------------------ course and account


def test_course_navigation_opens_the_course_reports_after_consent_in_place(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Course reports")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Tina Teacher")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Teacher")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    expect(tool.get_by_role("link", name="Course reports and quizzes")).to_have_count(0)
    capture(page, new_context, "course-connect")
    authorize_in_popup(page, tool, "flow-course")
    expect(tool.get_by_role("link", name="Cell Biology Midterm")).to_be_visible()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Course reports")
    capture(page, new_context, "course-reports")


def test_account_navigation_opens_the_catalogue_after_consent_in_place(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Account reports")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Administrator")
    authorize_in_popup(page, tool, "flow-account")
    expect(tool.get_by_role("link", name="Provisioning").first).to_be_visible()
    capture(page, new_context, "account-catalogue")


# ------------------------------------------------------------------ quiz placements

# (how the user opens the tool, the item in Canvas's menu, the quiz that must open)
QUIZ_CASES = [
    ("quiz-menu", "Cell Biology Midterm", "Cell Biology Midterm"),
    ("assignment-menu-classic", "Cell Biology Midterm", "Cell Biology Midterm"),
    ("assignment-menu-new", "Genetics Check", "Genetics Check"),
]


CASES = [(mode, *case) for mode in ("none", "custom") for case in QUIZ_CASES]


@pytest.fixture(params=CASES, ids=[f"{case[0]}-{case[1]}" for case in CASES])
def quiz_case(request: pytest.FixtureRequest) -> tuple[str, str, str, str]:
    value: tuple[str, str, str, str] = request.param
    return value


def test_quiz_placements_land_on_the_quiz_or_the_picker(
    page: Page,
    new_context: ContextFactory,
    emulator: LiveEmulator,
    live_tool: LiveTool,
    quiz_case: tuple[str, str, str, str],
) -> None:
    mode, how, item, title = quiz_case
    word = title.split(maxsplit=1)[0].lower()
    set_quiz_id_mode(emulator.emulator, mode)
    act_as(page, emulator.url, "Tina")
    if how == "quiz-menu":
        tool = open_quiz_tool(page, "Biology 101", item)
    else:
        tool = open_assignment_tool(page, "Biology 101", item)
    expect(tool.get_by_role("heading", level=1)).to_have_text("Quiz analysis")
    authorize_in_popup(page, tool, f"flow-{how}-{mode}")
    if mode == "none":  # Canvas named nothing: the picker, searchable, then one click
        expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")
        table = tool.get_by_test_id("quiz-table")
        expect(table.get_by_role("row")).to_have_count(5)  # header + 4 quizzes of Biology 101
        expect(table).to_contain_text("New Quiz")
        expect(table).to_contain_text("Classic quiz")
        if how == "quiz-menu":
            capture(page, new_context, "quiz-picker")
        search = tool.get_by_label("Search quizzes by title")
        search.fill(word)
        search.press("Enter")
        expect(tool.get_by_label("Search quizzes by title")).to_have_value(word)
        expect(tool.get_by_test_id("quiz-table").get_by_role("row")).to_have_count(2)
        tool.get_by_role("link", name=title).click()
    expect(tool.get_by_role("heading", level=1)).to_have_text(title)
    text = tool.locator("#main").inner_text()
    assert "#" not in text.split("\n")[0]
    assert "Page not found" not in text
    if mode == "custom" and how == "assignment-menu-classic":
        expect(tool.get_by_role("button", name="Generate Item Analysis")).to_be_visible()
        capture(page, new_context, "quiz-from-its-assignment")


def test_picker_is_usable_with_the_keyboard(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_quiz_tool(page, "Biology 101", "Cell Biology Midterm")
    authorize_in_popup(page, tool, "flow-picker-keyboard")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")
    tool.get_by_label("Search quizzes by title").focus()
    page.keyboard.type("genetics")
    page.keyboard.press("Enter")
    expect(tool.get_by_test_id("quiz-table").get_by_role("row")).to_have_count(2)
    tool.get_by_label("Search quizzes by title").focus()
    for _ in range(10):  # Tab through the search form to the first quiz link
        page.keyboard.press("Tab")
        name = tool_frame(page).evaluate("() => document.activeElement.textContent")
        if name == "Genetics Check":
            break
    page.keyboard.press("Enter")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Genetics Check")


# ------------------------------------------------------------------ three clicks


def test_course_navigation_to_quiz_analysis_to_insights_in_three_clicks(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, live_worker: LiveWorker
) -> None:
    clock = emulator.emulator.store.clock
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    authorize_in_popup(page, tool, "flow-three-clicks")
    tool.get_by_role("link", name="Cell Biology Midterm").click()
    clock.freeze()
    tool.get_by_role("button", name="Generate Item Analysis").click()
    row = tool.locator("tr[data-job-id]").first
    expect(row).to_contain_text("Item Analysis")
    # The worker creates the report in Canvas (at the frozen time) first; then time may pass.
    expect(row).to_have_attribute("data-status", "queued", timeout=WORKER_TIMEOUT_MS)
    clock.advance(emulator.settings.report_seconds * 0.55)  # as the journeys do: running first
    expect(row).to_have_attribute("data-status", "running", timeout=WORKER_TIMEOUT_MS)
    clock.advance(emulator.settings.report_seconds * 2)
    expect(row).to_have_attribute("data-status", "complete", timeout=WORKER_TIMEOUT_MS)

    # A new visit from Canvas: count the clicks from the course menu to the insights.
    page.goto(f"{emulator.url}/courses/101")
    clicks = 0
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Reports"
    ).click()
    clicks += 1
    tool = page.frame_locator(TOOL_FRAME)
    tool.get_by_role("link", name="Cell Biology Midterm").click()
    clicks += 1
    tool.locator("tr[data-job-id]").first.get_by_role("link", name="Insights").click()
    clicks += 1
    expect(tool.get_by_role("heading", level=1)).to_contain_text("Cell Biology Midterm")
    assert clicks <= 3
    screenshot(page, "flow-three-clicks-insights")


# ------------------------------------------------------------------ error pages

POST_A_BAD_FORM = """() => { const form = document.createElement('form');
    form.method = 'post'; form.action = '/reports/jobs/1/abort';
    const add = (n, v) => { const i = document.createElement('input');
      i.type = 'hidden'; i.name = n; i.value = v; form.appendChild(i); };
    add('lt', document.querySelector('meta[name=launch-token]').content);
    add('next', 'https://elsewhere.example/'); add('note', 'my careful words');
    document.body.appendChild(form); form.submit(); }"""


def test_error_pages_lead_back_and_keep_what_was_typed(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_quiz_tool(page, "Biology 101", "Cell Biology Midterm")
    authorize_in_popup(page, tool, "flow-errors")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")
    frame = tool_frame(page)

    # 404: a page that does not exist, reached from the picker.
    frame.evaluate("() => { location.href = '/reports/nowhere' + location.search }")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Page not found")
    capture(page, new_context, "error-404")
    tool.get_by_role("link", name="Back to the previous page").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")

    # 400 from a GET form: the value sent is shown, and the way back is the picker.
    frame.evaluate(
        """() => { const url = new URL('/quiz', location.href);
                   url.searchParams.set('lt', new URLSearchParams(location.search).get('lt'));
                   url.searchParams.set('quiz_id', 'twelve'); location.href = url; }"""
    )
    expect(tool.get_by_test_id("error-message")).to_have_text("quiz_id must be a Canvas id.")
    expect(tool.get_by_test_id("kept-input")).to_contain_text("twelve")
    tool.get_by_role("link", name="Back to the previous page").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")

    # 400 from a POST form: what was typed is shown and can be sent again as it was.
    picker = frame.url
    frame.evaluate(POST_A_BAD_FORM)
    kept = tool.get_by_test_id("kept-input")
    expect(kept).to_contain_text("my careful words")
    capture(page, new_context, "error-400-kept-input", url=picker, script=POST_A_BAD_FORM)
    tool.get_by_role("button", name="Send the same again").click()
    expect(tool.get_by_test_id("kept-input")).to_contain_text("my careful words")
    tool.get_by_role("link", name="Go to the reports home").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Choose a quiz")


def test_spanish_teacher_gets_the_spanish_ui(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Sofía")
    tool = open_course_tool(page, "Art History")
    expect(tool.locator("html")).to_have_attribute("lang", "es")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Informes del curso")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Sofía Profesora")
    authorize_in_popup(page, tool, "flow-spanish")
    expect(tool.get_by_role("link", name="Renaissance Quiz")).to_be_visible()
    capture(page, new_context, "course-reports-es")
