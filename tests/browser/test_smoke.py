"""Smoke: a person clicks through the emulated Canvas and the tool opens inside it.

The tool (127.0.0.1) is a third party inside the emulator (localhost); the launch runs the real
OIDC login, the platform's id_token form post and the tool's landing page in Chromium, once
with third-party cookies allowed and once with the tool's cookies refused altogether (so only
LTI platform storage can carry the launch state).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from emulator.testing import LiveEmulator
from tests.browser.harness import screenshot
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser


def open_course_reports_as_teacher(page: Page, emulator_url: str) -> FrameLocator:
    """Dashboard → act as Tina Teacher → Biology 101 → Reports; returns the tool's frame."""
    page.goto(f"{emulator_url}/")
    page.get_by_role("link", name="Act as Tina").click()
    page.get_by_role("link", name="Biology 101").click()
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Reports"
    ).click()
    return page.frame_locator("#tool_content")


def test_teacher_launches_the_tool_from_course_navigation(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    tool = open_course_reports_as_teacher(page, emulator.url)
    facts = tool.get_by_test_id("launch-facts")
    expect(facts).to_contain_text("Tina Teacher")
    expect(facts).to_contain_text("Biology 101")
    screenshot(page, "smoke-teacher-course-landing")


def test_launch_succeeds_when_the_tools_cookies_are_blocked(
    blocked_page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    tool = open_course_reports_as_teacher(blocked_page, emulator.url)
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    assert blocked_page.context.cookies(live_tool.url) == []
    screenshot(blocked_page, "smoke-teacher-course-landing-cookies-blocked")
