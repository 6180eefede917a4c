"""The tool is at home in Canvas's iframe: it resizes the frame, fits 320 px, and a keyboard
reaches everything."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from emulator.testing import LiveEmulator
from tests.browser.canvas import (
    TOOL_FRAME,
    act_as,
    authorize_in_popup,
    open_account_tool,
    open_course_tool,
    tool_frame,
)
from tests.browser.conftest import ContextFactory
from tests.browser.harness import CookiePolicy, assert_accessible, screenshot
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser

FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea"


def _teacher_landing(page: Page, emulator: LiveEmulator) -> None:
    act_as(page, emulator.url, "Tina")
    tool = open_course_tool(page, "Biology 101")
    expect(tool.get_by_test_id("launch-facts")).to_be_visible()


def test_tool_resizes_canvas_iframe_to_its_content(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    _teacher_landing(page, emulator)
    content_height = tool_frame(page).evaluate(
        "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
    )
    frame = page.locator(TOOL_FRAME)
    expect(frame).to_have_attribute("style", f"height: {content_height}px;")


CONTENT_BOTTOM = """() => Math.max(...Array.from(document.body.children)
    .filter(e => !["SCRIPT", "STYLE", "LINK"].includes(e.tagName))
    .map(e => e.getBoundingClientRect().bottom + window.scrollY))"""
SLACK_PX = 48  # margins below the last element


def test_iframe_shrinks_when_the_tool_shows_a_shorter_page(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    """Canvas keeps the height the tool last asked for: a tool that measures its own frame
    (``100vh``, ``scrollHeight`` of a stretched page) can grow but never shrink again."""
    act_as(page, emulator.url, "Ada")
    tool = open_account_tool(page, "State University")
    authorize_in_popup(page, tool, "layout-shrink")
    tool.get_by_role("link", name="Provisioning").first.click()
    expect(tool.locator("form.report-form")).to_be_visible()
    content = tool_frame(page).evaluate(CONTENT_BOTTOM)
    frame = page.locator(TOOL_FRAME)
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+px"))
    height = float(frame.evaluate("f => f.getBoundingClientRect().height"))
    assert height <= content + SLACK_PX, f"frame {height}px for {content}px of content"


def test_landing_page_fits_a_320_pixel_screen(
    page: Page, new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    _teacher_landing(page, emulator)
    url = tool_frame(page).url  # carries the launch token, as the tool's own links do
    narrow = new_context(CookiePolicy.ALLOW_ALL, viewport=(320, 640)).new_page()
    narrow.goto(url)
    expect(narrow.get_by_test_id("launch-facts")).to_contain_text("Biology 101")
    overflow = narrow.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    screenshot(narrow, "layout-course-landing-320px")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"
    assert_accessible(narrow)


def test_keyboard_reaches_every_control_starting_with_skip_link(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    _teacher_landing(page, emulator)
    frame = tool_frame(page)
    controls = frame.locator(FOCUSABLE)
    expected = [
        controls.nth(i).evaluate("e => e.outerHTML")
        for i in range(controls.count())
        if controls.nth(i).is_visible() or controls.nth(i).evaluate("e => e.hash === '#main'")
    ]
    # A keyboard user arrives from Canvas's course navigation, just before the tool's frame.
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Reports"
    ).focus()
    reached: list[str] = []
    for _ in range(len(expected) + 5):
        page.keyboard.press("Tab")
        focused = frame.evaluate(
            "() => document.hasFocus() && document.activeElement !== document.body"
            " ? document.activeElement.outerHTML : null"
        )
        if focused is not None and focused not in reached:
            reached.append(focused)
    assert reached, "Tab never focused anything in the tool"
    assert "Skip to content" in reached[0]
    missing = [html for html in expected if html not in reached]
    assert not missing, f"not reachable by keyboard: {missing}"
