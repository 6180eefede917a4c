"""Live progress in a real browser: the page redraws from /api/jobs as the worker advances.

Chromium opens a report page of a live tool; the test advances the shared clock and runs
the worker; the page (with nobody reloading) must show the new status, progress, the
download link, and announce the change; axe finds no serious problems.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect, sync_playwright

from emulator.testing import LiveEmulator
from tests.browser.harness import CHROMIUM, assert_accessible, launch_context, screenshot
from tests.integration.reports_harness import ADMIN_ROLES, TEACHER_ROLES, build_world
from tests.support.live import LiveTool
from tests.support.services import unavailable

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver() -> Iterator[Playwright]:
    if not os.path.exists(CHROMIUM):  # skips locally, fails under CI=true
        unavailable(f"Chromium not found at {CHROMIUM} (install Debian's chromium)")
    with sync_playwright() as playwright:
        yield playwright


def test_page_follows_a_job_to_completion_without_reload(
    driver: Playwright, emulator: LiveEmulator, tmp_path: Path
) -> None:
    data = tmp_path / "tool"
    data.mkdir()
    with LiveTool(data) as tool:
        world = build_world(tool.app, emulator)
        ada = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
        assert ada.post("/reports/account/last_user_access_csv").status_code == 303
        [job] = world.jobs()
        context = launch_context(driver, tmp_path / "profile")
        try:
            page = context.new_page()
            page.goto(f"{tool.url}/reports/account/last_user_access_csv?lt={ada.token}")
            row = page.locator(f'tr[data-job-id="{job.id}"]')
            expect(row.locator('[data-field="status"]')).to_have_text("Queued")
            assert_accessible(page)
            world.advance(60)
            world.sweep()  # the worker finishes the job; the page must notice by itself
            expect(row.locator('[data-field="status"]')).to_have_text("Complete", timeout=20_000)
            expect(row.locator("progress")).to_have_attribute("aria-valuenow", "100")
            expect(row.locator("a.report-download")).to_be_visible()
            expect(page.locator("#report-announcer")).to_contain_text("Complete")
            expect(row.locator('form[data-action="delete"]')).to_be_visible()
            screenshot(page, "reports-account-history-complete")
            assert_accessible(page)
        finally:
            context.close()
        emulator.emulator.store.clock.unfreeze()


def test_report_pages_are_accessible(
    driver: Playwright, emulator: LiveEmulator, tmp_path: Path
) -> None:
    data = tmp_path / "tool"
    data.mkdir()
    with LiveTool(data) as tool:
        world = build_world(tool.app, emulator)
        ada = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
        tina = world.launch(
            3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101
        )
        tina.post("/reports/quiz/201", {"report_type": "item_analysis"})
        world.run_until_settled()
        [job] = world.jobs()
        pages = [
            ("reports-account-catalogue", f"/reports/account?lt={ada.token}"),
            (
                "reports-account-form",
                f"/reports/account/students_with_no_submissions_csv?lt={ada.token}",
            ),
            ("reports-course", f"/reports/course?lt={tina.token}"),
            ("reports-quiz", f"/reports/quiz/201?lt={tina.token}"),
            ("reports-new-quiz", f"/reports/new_quiz/301?lt={tina.token}"),
            ("reports-job", f"/reports/jobs/{job.id}?lt={tina.token}"),
        ]
        context = launch_context(driver, tmp_path / "profile")
        try:
            page = context.new_page()
            for name, path in pages:
                response = page.goto(f"{tool.url}{path}")
                assert response is not None
                assert response.status == 200, name
                screenshot(page, name)
                assert_accessible(page)
        finally:
            context.close()
        emulator.emulator.store.clock.unfreeze()
