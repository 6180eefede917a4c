"""Launch pages in Chromium: platform-storage fallbacks, and the landing page at 320 px.

Part of the launch work. The smoke journeys cover the normal case; these pin the fallbacks
of ``lti.js``/``lti-login.js``: no sibling ``post_message_forwarding`` frame (the Rich Content
Editor: the parent window answers) and no answer at all (Canvas mobile apps: only a cookie
can help, else the login offers a new tab).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from emulator.lti.options import set_storage_mode
from emulator.testing import LiveEmulator
from tests.browser.canvas import act_as, open_course_tool, tool_frame
from tests.browser.conftest import ContextFactory
from tests.browser.harness import screenshot
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser


def test_parent_window_answers_when_the_storage_frame_is_absent(
    blocked_page: Page,
    emulator: LiveEmulator,
    live_tool: LiveTool,
) -> None:
    set_storage_mode(emulator.emulator, "absent")
    act_as(blocked_page, emulator.url, "Tina")
    tool = open_course_tool(blocked_page, "Biology 101")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    assert blocked_page.context.cookies(live_tool.url) == []


def test_silent_platform_falls_back_to_the_state_cookie(
    page: Page,
    emulator: LiveEmulator,
    live_tool: LiveTool,
) -> None:
    set_storage_mode(emulator.emulator, "silent")
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Tina Teacher")


def test_no_cookie_and_no_storage_offers_a_new_tab(
    blocked_page: Page,
    emulator: LiveEmulator,
    live_tool: LiveTool,
) -> None:
    set_storage_mode(emulator.emulator, "silent")
    act_as(blocked_page, emulator.url, "Tina")
    tool = open_course_tool(blocked_page, "Biology 101")
    link = tool.get_by_role("link", name="Open Canvas Reports in a new tab")
    expect(link).to_be_visible(timeout=15_000)
    href = link.get_attribute("href") or ""
    assert href.startswith("/lti/login?")
    assert "lti1p3_new_window=1" in href
    assert "lti_storage_target" not in href


@pytest.mark.parametrize("width", [320, 768])
def test_landing_page_fits_narrow_frames(
    page: Page,
    new_context: ContextFactory,
    emulator: LiveEmulator,
    live_tool: LiveTool,
    width: int,
) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    expect(tool.get_by_test_id("launch-facts")).to_contain_text("Tina Teacher")
    narrow = new_context(viewport=(width, 640)).new_page()
    narrow.goto(tool_frame(page).url)  # the landing page itself, as wide as a narrow frame
    expect(narrow.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(narrow, f"launch-course-landing-{width}px")
