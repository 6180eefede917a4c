"""Numbers beyond the database's 64-bit integers are refused (4xx), never a driver overflow."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from emulator.testing import LiveEmulator
from tests.security.platform import COURSE_NAV, launch_token, stored, tool_id

HUGE = str(2**63)
HUGER = "9" * 40


@pytest.fixture(scope="module")
def token(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> str:
    path = COURSE_NAV.format(tool=tool_id(registration))
    return launch_token(tool, live_canvas, registration, 3, path)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/jobs/{HUGE}",
        f"/reports/jobs/{HUGER}",
        f"/insights/jobs/{HUGE}/items.csv",
        f"/api/jobs?ids={HUGE}",
        f"/api/jobs?ids=1,{HUGER}",
        f"/quiz?quiz_id={HUGE}",
        f"/quiz?assignment_id={HUGER}",
        f"/reports/quiz/{HUGE}",
    ],
)
def test_huge_ids_are_refused(tool: Flask, token: str, url: str) -> None:
    separator = "&" if "?" in url else "?"
    response = tool.test_client().get(f"{url}{separator}lt={token}")
    assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("url", [f"/reports/jobs/{HUGE}/abort", f"/reports/quiz/{HUGER}"])
def test_huge_ids_in_posts_are_refused(tool: Flask, token: str, url: str) -> None:
    response = tool.test_client().post(url, headers={"Authorization": f"Bearer {token}"})
    assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-01-01", "9999-12-31"), ("9999-12-30", "9999-12-31"), ("2026-01-01", "2062-01-01")],
)
def test_absurd_date_ranges_start_nothing(
    tool: Flask, connected_admin: str, start: str, end: str
) -> None:
    """Regression: a far end date overflowed the calendar (500) or would have started
    thousands of two-week Canvas reports."""
    before = stored(tool)
    response = tool.test_client().post(
        "/reports/account/students_with_no_submissions_csv",
        data={"p_start_at": start, "p_end_at": end},
        headers={"Authorization": f"Bearer {connected_admin}"},
    )
    assert response.status_code == 400
    assert "too long" in response.get_data(as_text=True)
    assert stored(tool) == before


def test_a_month_is_split_into_runs(tool: Flask, connected_admin: str) -> None:
    """The control: an ordinary range starts its two-week runs."""
    jobs_before = stored(tool)[0]["job"]
    response = tool.test_client().post(
        "/reports/account/students_with_no_submissions_csv",
        data={"p_start_at": "2026-09-01", "p_end_at": "2026-09-30"},
        headers={"Authorization": f"Bearer {connected_admin}"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert stored(tool)[0]["job"] == jobs_before + 3
