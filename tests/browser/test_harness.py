"""The harness itself: Chromium renders the emulator, screenshots land, axe catches violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from emulator.testing import LiveEmulator
from tests.browser.harness import SCREENSHOT_DIR, assert_accessible, axe_violations, screenshot

pytestmark = pytest.mark.browser

ACCESSIBLE = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Reports</h1><img src="data:," alt="Progress chart">
<button type="button">Start</button></main></body></html>"""

INACCESSIBLE = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Reports</h1><img src="data:,"><button type="button"></button>
</main></body></html>"""


def test_emulator_home_renders_in_chromium(page: Page, emulator: LiveEmulator) -> None:
    response = page.goto(f"{emulator.url}/")
    assert response is not None
    assert response.status == 200
    path = screenshot(page, "emulator-home")
    assert path.parent == SCREENSHOT_DIR
    assert path.stat().st_size > 1000


def test_axe_passes_an_accessible_page(page: Page) -> None:
    page.set_content(ACCESSIBLE)
    assert_accessible(page)


def test_axe_fails_on_serious_or_critical_violations(page: Page) -> None:
    page.set_content(INACCESSIBLE)
    rules = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "button-name"} <= rules
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_axe_rules_can_be_switched_off_explicitly(page: Page) -> None:
    page.set_content(INACCESSIBLE)
    assert_accessible(page, rules_off=("image-alt", "button-name"))
