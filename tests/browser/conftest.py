"""Browser fixtures: Chromium through Playwright, the emulator on ``localhost`` and the tool on
``127.0.0.1`` (different sites, so the tool is a real third party in the emulator's iframe).

- ``new_context(policy, tool_origin=None)``: a fresh Chromium profile under a cookie policy;
  closed after the test (with a screenshot of every open page when the test failed).
- ``page``: a page in a context allowing all cookies; ``blocked_page``: a page in a context that
  blocks third-party cookies and every cookie of the tool inside Canvas
  (``CookiePolicy.BLOCK_TOOL``).
- ``live_tool``: the tool served on 127.0.0.1 and registered in the ``emulator`` fixture;
  ``live_worker``: its job worker process (same database and queue).

Without Chromium these tests skip locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from emulator.testing import LiveEmulator
from tests.browser.harness import CHROMIUM, CookiePolicy, launch_context, screenshot
from tests.support.live import LiveTool, LiveWorker, register_tool
from tests.support.services import unavailable

ContextFactory = Callable[..., BrowserContext]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (``-m 'not browser'`` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report on the item, so teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright per module: only one sync driver may run at a time in a process, and other
    test packages start their own."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (install Debian's chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def new_context(
    playwright_driver: Playwright, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[ContextFactory]:
    contexts: list[BrowserContext] = []

    def factory(policy: CookiePolicy = CookiePolicy.ALLOW_ALL, **options: object) -> BrowserContext:
        profile = tmp_path / f"profile-{len(contexts)}"
        context = launch_context(playwright_driver, profile, policy, **options)  # type: ignore[arg-type]
        contexts.append(context)
        return context

    yield factory
    call_report = getattr(request.node, "report_call", None)
    failed = call_report is not None and call_report.failed
    for index, context in enumerate(contexts):
        if failed:
            for number, open_page in enumerate(context.pages):
                if open_page.url == "about:blank":
                    continue
                # A dead page must not hide the real failure.
                with contextlib.suppress(Exception):
                    screenshot(open_page, f"FAILED-{request.node.name}-{index}-{number}")
        context.close()


def first_page(context: BrowserContext) -> Page:
    """The page a persistent context opens with (a second one would leave a blank tab)."""
    return context.pages[0] if context.pages else context.new_page()


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A page in a browser that allows all cookies."""
    return first_page(new_context(CookiePolicy.ALLOW_ALL))


@pytest.fixture
def live_tool(emulator: LiveEmulator, tmp_path: Path) -> Iterator[LiveTool]:
    """The tool on 127.0.0.1, registered in the (``localhost``) emulator."""
    data = tmp_path / "tool"
    data.mkdir()
    with LiveTool(data, huey_immediate=False) as tool:
        register_tool(tool, emulator.url)
        yield tool


@pytest.fixture
def live_worker(live_tool: LiveTool) -> Iterator[LiveWorker]:
    """The tool's job worker process, so started reports advance as in the demo."""
    with LiveWorker(live_tool) as worker:
        yield worker


@pytest.fixture
def blocked_page(new_context: ContextFactory, emulator: LiveEmulator, live_tool: LiveTool) -> Page:
    """A page whose browser blocks third-party cookies and every cookie of the tool inside
    Canvas, partitioned ones included (the tool's own popups keep first-party cookies)."""
    return first_page(
        new_context(CookiePolicy.BLOCK_TOOL, tool_origin=live_tool.url, canvas_origin=emulator.url)
    )
