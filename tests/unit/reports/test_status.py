from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import IllegalTransition
from app.models.job import Job
from app.reports.status import (
    JobStatus,
    can_move,
    from_progress_state,
    from_report_state,
    move,
)
from tests.support import factories

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def make_job(status: JobStatus = JobStatus.QUEUED) -> Job:
    return factories.job(status=status.value, next_poll_at=T0)


def test_move_appends_an_event_with_both_states() -> None:
    job = make_job()
    assert move(job, JobStatus.RUNNING, T0, detail="Canvas: running")
    assert job.status == "running"
    [event] = job.events
    assert (event.from_status, event.to_status, event.detail) == (
        "queued",
        "running",
        "Canvas: running",
    )


def test_move_to_the_same_status_records_nothing() -> None:
    job = make_job(JobStatus.RUNNING)
    assert not move(job, JobStatus.RUNNING, T0)
    assert job.events == []


def test_finishing_stops_polling_and_stamps_the_time() -> None:
    job = make_job(JobStatus.RUNNING)
    move(job, JobStatus.COMPLETE, T0 + timedelta(minutes=3))
    assert job.next_poll_at is None
    assert job.finished_at == T0 + timedelta(minutes=3)


def test_stale_stops_polling_but_is_not_finished() -> None:
    job = make_job(JobStatus.RUNNING)
    move(job, JobStatus.STALE, T0)
    assert job.next_poll_at is None
    assert job.finished_at is None


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (JobStatus.COMPLETE, JobStatus.RUNNING),
        (JobStatus.DELETED, JobStatus.QUEUED),
        (JobStatus.DELETED, JobStatus.COMPLETE),
        (JobStatus.RUNNING, JobStatus.QUEUED),
        (JobStatus.COMPLETE, JobStatus.QUEUED),
    ],
)
def test_forbidden_moves_raise(start: JobStatus, to: JobStatus) -> None:
    job = make_job(start)
    with pytest.raises(IllegalTransition):
        move(job, to, T0)
    assert job.status == start.value


@pytest.mark.parametrize("start", [JobStatus.STALE, JobStatus.FAILED, JobStatus.ABORTED])
def test_retryable_states_can_be_queued_again(start: JobStatus) -> None:
    assert can_move(start, JobStatus.QUEUED)


@pytest.mark.parametrize(
    ("canvas", "ours"),
    [
        ("created", JobStatus.QUEUED),
        ("running", JobStatus.RUNNING),
        ("compiling", JobStatus.RUNNING),
        ("complete", JobStatus.COMPLETE),
        ("error", JobStatus.FAILED),
        ("aborted", JobStatus.ABORTED),
        ("deleted", JobStatus.DELETED),
    ],
)
def test_report_states_translate(canvas: str, ours: JobStatus) -> None:
    assert from_report_state(canvas) is ours


@pytest.mark.parametrize(
    ("canvas", "ours"),
    [
        ("queued", JobStatus.QUEUED),
        ("running", JobStatus.RUNNING),
        ("waiting_for_external_tool", JobStatus.RUNNING),
        ("completed", JobStatus.COMPLETE),
        ("failed", JobStatus.FAILED),
        ("canceled", JobStatus.ABORTED),
    ],
)
def test_progress_states_translate(canvas: str, ours: JobStatus) -> None:
    assert from_progress_state(canvas) is ours
