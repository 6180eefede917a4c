"""Safe starts, the pure parts: the ``starting`` status, start keys, retry backoff, the
unique indexes' status list, and the start budget setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.config import Settings
from app.errors import ConfigurationError, IllegalTransition
from app.models import job as job_model
from app.models.job import Job
from app.models.launch import Launch
from app.reports import families
from app.reports.families import run
from app.reports.kinds import Family
from app.reports.service import start_key
from app.reports.status import LABELS, TRACKING, JobStatus, can_move, move

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def launch(user: int = 3, platform: int = 1) -> Launch:
    return Launch(platform_id=platform, canvas_user_id=user, user_name="Tina")


def test_starting_ends_in_any_canvas_state_or_a_refusal() -> None:
    for to in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETE, JobStatus.FAILED):
        assert can_move(JobStatus.STARTING, to)
    for retried in (JobStatus.FAILED, JobStatus.ABORTED, JobStatus.STALE):
        assert can_move(retried, JobStatus.STARTING)
    assert not can_move(JobStatus.COMPLETE, JobStatus.STARTING)
    job = Job(status="deleted", events=[])
    with pytest.raises(IllegalTransition):
        move(job, JobStatus.STARTING, T0)


def test_failing_frees_the_start_key_completing_keeps_it() -> None:
    failed = Job(status="starting", start_key="k" * 64, events=[])
    move(failed, JobStatus.FAILED, T0, detail=run.REFUSED)
    assert failed.start_key is None
    done = Job(status="starting", start_key="k" * 64, events=[])
    move(done, JobStatus.COMPLETE, T0)
    assert done.start_key == "k" * 64


def test_every_status_has_a_label(app: Flask) -> None:
    with app.test_request_context():
        assert str(LABELS[JobStatus.STARTING]) == "Starting"
    assert set(LABELS) == set(JobStatus)


def test_the_indexes_list_exactly_the_tracking_statuses() -> None:
    listed = job_model._TRACKING_SQL  # the partial indexes' WHERE
    for status in JobStatus:
        assert (f"'{status.value}'" in listed) is (status in TRACKING), status


def test_start_keys_are_equal_for_identical_starts_only() -> None:
    key = start_key(launch(), Family.ACCOUNT, "grade_export_csv", [1], {"a": 1, "b": True})
    assert key == start_key(launch(), Family.ACCOUNT, "grade_export_csv", [1], {"b": True, "a": 1})
    assert len(key) == 64
    others = {
        start_key(launch(user=4), Family.ACCOUNT, "grade_export_csv", [1], {"a": 1, "b": True}),
        start_key(launch(platform=2), Family.ACCOUNT, "grade_export_csv", [1], {"a": 1, "b": True}),
        start_key(launch(), Family.ACCOUNT, "grade_export_csv", [2], {"a": 1, "b": True}),
        start_key(launch(), Family.ACCOUNT, "sis_export_csv", [1], {"a": 1, "b": True}),
        start_key(launch(), Family.ACCOUNT, "grade_export_csv", [1], {"a": 1}),
        start_key(launch(), Family.COURSE, "grade_export_csv", [1], {"a": 1, "b": True}),
    }
    assert key not in others
    assert len(others) == 6


def test_create_attempts_back_off_to_two_minutes() -> None:
    assert [run.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert run.retry_delay(30) == timedelta(minutes=2)


def test_every_family_is_registered() -> None:
    for family in Family:
        assert families.family_of(Job(family=family.value)).family is family


def test_start_budget_setting(tmp_path: Path) -> None:
    base = {"TOOL_INSTANCE_DIR": str(tmp_path)}
    assert Settings.from_env(base).start_budget_seconds == 5
    assert Settings.from_env({**base, "START_BUDGET_SECONDS": "2"}).start_budget_seconds == 2
    for bad in ("0", "61", "soon"):
        with pytest.raises(ConfigurationError, match="START_BUDGET_SECONDS"):
            Settings.from_env({**base, "START_BUDGET_SECONDS": bad})
