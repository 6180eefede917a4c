"""The Authorize popup in Chromium: opened from Canvas's iframe, closed by the callback,
and the page inside Canvas reloads connected (postMessage between same-origin windows)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from emulator.testing import LiveEmulator
from tests.browser.harness import screenshot
from tests.support.live import LiveTool

pytestmark = pytest.mark.browser


def test_authorize_popup_connects_and_the_tool_page_reloads(
    page: Page, emulator: LiveEmulator, live_tool: LiveTool
) -> None:
    page.goto(f"{emulator.url}/")
    page.get_by_role("link", name="Act as Tina").click()
    page.get_by_role("link", name="Biology 101").click()
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Reports"
    ).click()
    frame = page.frame_locator("#tool_content")
    expect(frame.get_by_test_id("launch-facts")).to_be_visible()
    tool_frame = next(f for f in page.frames if f.url.startswith(live_tool.url))
    token = tool_frame.evaluate("document.querySelector('meta[name=\"launch-token\"]').content")
    tool_frame.goto(f"{live_tool.url}/oauth/connect?lt={token}")
    frame = page.frame_locator("#tool_content")

    with page.expect_popup() as opened:
        frame.get_by_test_id("oauth-authorize").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.startswith(
        f"{emulator.url}/login/oauth2/auth"
    )  # a real window, not the iframe
    screenshot(popup, "oauth-popup-consent")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Authorize").click()

    expect(frame.get_by_test_id("oauth-connected")).to_be_visible()
    screenshot(page, "oauth-connected")
