from __future__ import annotations

import pytest

from app.models.job import Job
from app.reports.actions import can_abort, can_delete, can_retry
from tests.support import factories


def job(family: str, status: str, canvas_state: str | None) -> Job:
    return factories.job(family=family, status=status, canvas_state=canvas_state)


@pytest.mark.parametrize(
    ("family", "status", "canvas_state", "allowed"),
    [
        ("account", "running", "running", True),
        ("account", "queued", "created", False),  # Canvas: 404 unless running
        ("account", "running", "compiling", False),
        ("quiz", "queued", "queued", True),
        ("quiz", "running", "running", False),  # Canvas: 422 while running
        ("quiz", "failed", "failed", False),  # removed with delete instead
        ("new_quiz", "running", "running", True),
        ("new_quiz", "stale", "running", True),
        ("new_quiz", "complete", "completed", False),
        ("course", "running", "running", False),  # Canvas has no abort for course reports
    ],
)
def test_abort_follows_canvas_rules(
    family: str, status: str, canvas_state: str, allowed: bool
) -> None:
    assert can_abort(job(family, status, canvas_state)) is allowed


@pytest.mark.parametrize(
    ("status", "delete", "retry"),
    [
        ("queued", False, False),
        ("running", False, False),
        ("complete", True, False),
        ("failed", True, True),
        ("aborted", True, True),
        ("stale", True, True),
        ("deleted", False, False),
    ],
)
def test_delete_and_retry_by_status(status: str, delete: bool, retry: bool) -> None:
    row = job("account", status, None)
    assert can_delete(row) is delete
    assert can_retry(row) is retry
