"""Clicking through the emulated Canvas as a person would (shared by the browser journeys).

Only visible names are used (link texts, landmarks), so a journey breaks when a person could
not find their way either.
"""

from __future__ import annotations

from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.browser.harness import screenshot

TOOL_FRAME = "#tool_content"


def act_as(page: Page, emulator_url: str, first_name: str) -> None:
    """Log out of the shell and act as the seeded user whose first name is ``first_name``."""
    page.goto(f"{emulator_url}/logout")
    page.goto(f"{emulator_url}/")
    page.get_by_role("link", name=f"Act as {first_name}", exact=True).click()


def open_course_tool(page: Page, course_name: str, tool_text: str = "Reports") -> FrameLocator:
    """Dashboard → course card → the tool's course-navigation link; returns the tool's frame."""
    page.get_by_role("link", name=course_name).first.click()
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name=tool_text
    ).click()
    return page.frame_locator(TOOL_FRAME)


def open_quiz_tool(
    page: Page, course_name: str, quiz_title: str, tool_text: str = "Quiz analysis"
) -> FrameLocator:
    """Course → Quizzes → the quiz's ⋮ menu → the tool's quiz/assignment menu entry."""
    page.get_by_role("link", name=course_name).first.click()
    page.get_by_role("navigation", name="Course navigation").get_by_role(
        "link", name="Quizzes"
    ).click()
    page.get_by_label(f"Manage {quiz_title}").click()
    page.locator("details[open]").get_by_role("link", name=tool_text).click()
    return page.frame_locator(TOOL_FRAME)


def open_account_tool(page: Page, account_name: str, tool_text: str = "Reports") -> FrameLocator:
    """Dashboard → Admin → account → the tool's account-navigation link; returns the frame."""
    page.get_by_role("link", name=account_name, exact=True).click()
    page.get_by_role("navigation", name="Account navigation").get_by_role(
        "link", name=tool_text
    ).click()
    return page.frame_locator(TOOL_FRAME)


def tool_frame(page: Page) -> Frame:
    """The tool's iframe as a ``Frame`` (for axe checks and evaluation)."""
    frame = page.frame(name="tool_content")
    if frame is None:
        raise AssertionError("the page has no tool iframe")
    return frame


def authorize_in_popup(page: Page, tool: FrameLocator, name: str) -> None:
    """Authorize → Canvas's consent page in a popup → Authorize; the popup closes itself."""
    with page.expect_popup() as opened:
        tool.get_by_test_id("oauth-authorize").click()
    popup = opened.value
    expect(popup.get_by_text("is requesting access to your account")).to_be_visible()
    screenshot(popup, f"{name}-oauth-consent")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Authorize").click()
