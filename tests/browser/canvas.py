"""Clicking through the emulated Canvas as a person would (shared by the browser journeys).

Only visible names are used (link texts, landmarks), so a journey breaks when a person could
not find their way either.
"""

from __future__ import annotations

from playwright.sync_api import Frame, FrameLocator, Page

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
