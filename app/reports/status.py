"""The one job state machine, and the one translation from Canvas states to it.

Every status change of a ``Job`` goes through ``move``; every Canvas state string
(account/course report ``status``, Progress ``workflow_state``) is translated here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from app.errors import IllegalTransition
from app.models.job import Job, JobEvent


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    ABORTED = "aborted"
    DELETED = "deleted"
    STALE = "stale"


LIVE: frozenset[JobStatus] = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
"""Statuses the worker keeps polling."""

FINISHED: frozenset[JobStatus] = frozenset(
    {JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.ABORTED, JobStatus.DELETED}
)

_S = JobStatus
# Allowed moves. ``stale`` can recover (Canvas may finish late, or a retry re-queues it);
# ``failed``/``aborted``/``stale`` can be retried (back to ``queued``); ``deleted`` is final.
_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    _S.QUEUED: frozenset({_S.RUNNING, _S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED, _S.STALE}),
    _S.RUNNING: frozenset({_S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED, _S.STALE}),
    _S.STALE: frozenset({_S.QUEUED, _S.RUNNING, _S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED}),
    _S.COMPLETE: frozenset({_S.DELETED}),
    _S.FAILED: frozenset({_S.QUEUED, _S.DELETED}),
    _S.ABORTED: frozenset({_S.QUEUED, _S.DELETED}),
    _S.DELETED: frozenset(),
}

# Canvas AccountReport / CourseReport ``status`` (reports-api.md 1.4, 2).
_REPORT_STATES: dict[str, JobStatus] = {
    "created": _S.QUEUED,
    "running": _S.RUNNING,
    "compiling": _S.RUNNING,
    "complete": _S.COMPLETE,
    "error": _S.FAILED,
    "aborted": _S.ABORTED,
    "deleted": _S.DELETED,
}

# Canvas Progress ``workflow_state`` (reports-api.md 5).
_PROGRESS_STATES: dict[str, JobStatus] = {
    "queued": _S.QUEUED,
    "running": _S.RUNNING,
    "waiting_for_external_tool": _S.RUNNING,
    "completed": _S.COMPLETE,
    "failed": _S.FAILED,
    "canceled": _S.ABORTED,
}


def status_of(job: Job) -> JobStatus:
    return JobStatus(job.status)


def can_move(current: JobStatus, to: JobStatus) -> bool:
    return to in _ALLOWED[current]


def move(job: Job, to: JobStatus, at: datetime, detail: str = "") -> bool:
    """Change ``job.status`` and append a history event; ``False`` if it already was ``to``.

    Raises:
        IllegalTransition: the state machine forbids the move.
    """
    current = status_of(job)
    if current is to:
        return False
    if not can_move(current, to):
        raise IllegalTransition(f"A {current.value} report cannot become {to.value}.")
    job.status = to.value
    job.updated_at = at
    if to in FINISHED:
        job.finished_at = at
        job.next_poll_at = None
    elif to is JobStatus.STALE:
        job.next_poll_at = None
    else:
        job.finished_at = None
    job.events.append(JobEvent(at=at, from_status=current.value, to_status=to.value, detail=detail))
    return True


def from_report_state(state: str) -> JobStatus:
    """Translate an account/course report ``status``; unknown strings count as running."""
    return _REPORT_STATES.get(state, JobStatus.RUNNING)


def from_progress_state(state: str) -> JobStatus:
    """Translate a Progress ``workflow_state``; unknown strings count as running."""
    return _PROGRESS_STATES.get(state, JobStatus.RUNNING)
