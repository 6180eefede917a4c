"""Smoke: a person clicks through the emulated Canvas and the tool opens inside it.

The tool (127.0.0.1) is a third party inside the emulator (localhost); the launch runs the real
OIDC login, the platform's id_token form post and the tool's landing page in Chromium, with
third-party cookies allowed, and with the tool's cookies refused altogether (so only LTI
platform storage can carry the launch state).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from emulator.lti.options import set_quiz_id_mode
from emulator.testing import LiveEmulator
from tests.browser.canvas import (
    act_as,
    authorize_in_popup,
    open_account_tool,
    open_course_tool,
    open_quiz_tool,
    tool_frame,
)
from tests.browser.harness import assert_accessible, screenshot
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser


def test_teacher_launches_the_tool_from_course_navigation(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    facts = tool.get_by_test_id("launch-facts")
    expect(facts).to_contain_text("Tina Teacher")
    expect(facts).to_contain_text("Biology 101")
    screenshot(page, "smoke-teacher-course-landing")
    assert_accessible(tool_frame(page))


def test_launch_succeeds_when_the_tools_cookies_are_blocked(
    blocked_page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(blocked_page, emulator.url, "Tina")
    tool = open_course_tool(blocked_page, "Biology 101")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    assert blocked_page.context.cookies(live_tool.url) == []
    screenshot(blocked_page, "smoke-teacher-course-landing-cookies-blocked")


def test_admin_launches_the_tool_from_account_navigation(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")
    facts = tool.get_by_test_id("launch-facts")
    expect(facts).to_contain_text("Ada Admin")
    expect(facts).to_contain_text("State University")
    screenshot(page, "smoke-admin-account-landing")
    assert_accessible(tool_frame(page))


def test_tool_speaks_the_locale_canvas_launches_with(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    """Canvas sends the user's locale in the launch; the tool answers in Spanish for "es"."""
    store = emulator.emulator.store
    with store.lock:
        store.users[3].locale = "es"
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Informes del curso")
    expect(tool.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "smoke-teacher-course-landing-es")
    assert_accessible(tool_frame(page))


@pytest.mark.parametrize("quiz_title", ["Cell Biology Midterm", "Genetics Check"])
def test_teacher_launches_the_tool_from_a_quiz_menu(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool, quiz_title: str
) -> None:
    set_quiz_id_mode(emulator.emulator, "custom")  # opt in: a Canvas that names the quiz
    act_as(page, emulator.url, "Tina")
    tool = open_quiz_tool(page, "Biology 101", quiz_title)
    expect(tool.get_by_role("heading", level=1)).to_have_text("Quiz analysis")
    authorize_in_popup(page, tool, f"smoke-quiz-menu-{quiz_title}")
    expect(tool.get_by_role("heading", level=1)).to_have_text(quiz_title)  # its title, no id
    screenshot(page, f"smoke-teacher-quiz-menu-{quiz_title}")
    assert_accessible(tool_frame(page))
