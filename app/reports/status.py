"""The one job state machine, and the one translation from Canvas states to it.

Every status change of a ``Job`` goes through ``move``; every Canvas state string
(account/course report ``status``, Progress ``workflow_state``) is translated here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext

from app.errors import IllegalTransition
from app.models.job import Job, JobEvent


class JobStatus(StrEnum):
    STARTING = "starting"  # recorded; the worker has not got Canvas's answer to the create yet
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    ABORTED = "aborted"
    DELETED = "deleted"
    STALE = "stale"


LIVE: frozenset[JobStatus] = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
"""Statuses the worker keeps polling."""

WORKED: frozenset[JobStatus] = frozenset({JobStatus.STARTING, *LIVE})
"""Statuses the worker claims: ``starting`` (it makes the create call) and the live ones."""

TRACKING: frozenset[JobStatus] = frozenset({*WORKED, JobStatus.STALE})
"""Statuses in which a job holds its Canvas report/Progress: no two such jobs share one
(the partial unique indexes on ``job``)."""

LABELS: dict[JobStatus, Any] = {
    JobStatus.STARTING: lazy_gettext("Starting"),
    JobStatus.QUEUED: lazy_gettext("Queued"),
    JobStatus.RUNNING: lazy_gettext("Running"),
    JobStatus.COMPLETE: lazy_gettext("Complete"),
    JobStatus.FAILED: lazy_gettext("Failed"),
    JobStatus.ABORTED: lazy_gettext("Aborted"),
    JobStatus.DELETED: lazy_gettext("Deleted"),
    JobStatus.STALE: lazy_gettext("Stalled"),
}
"""Each status in the request's language (``str(LABELS[status])``)."""

FORGETS_START: frozenset[JobStatus] = frozenset(
    {JobStatus.FAILED, JobStatus.ABORTED, JobStatus.DELETED}
)
"""Reaching one of these frees the job's ``start_key``: the same start may run again."""

FINISHED: frozenset[JobStatus] = frozenset(
    {JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.ABORTED, JobStatus.DELETED}
)

_S = JobStatus
# Allowed moves. ``starting`` ends when Canvas answers the create (any Canvas state), when
# Canvas refuses it (failed) or when it never gets through (stale). ``stale`` can recover
# (Canvas may finish late, or a retry re-queues it);
# ``failed``/``aborted``/``stale`` can be retried (back to ``queued``); ``deleted`` is final.
_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    _S.STARTING: frozenset(
        {_S.QUEUED, _S.RUNNING, _S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED, _S.STALE}
    ),
    _S.QUEUED: frozenset({_S.RUNNING, _S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED, _S.STALE}),
    _S.RUNNING: frozenset({_S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED, _S.STALE}),
    _S.STALE: frozenset(
        {_S.STARTING, _S.QUEUED, _S.RUNNING, _S.COMPLETE, _S.FAILED, _S.ABORTED, _S.DELETED}
    ),
    _S.COMPLETE: frozenset({_S.DELETED}),
    _S.FAILED: frozenset({_S.STARTING, _S.QUEUED, _S.DELETED}),
    _S.ABORTED: frozenset({_S.STARTING, _S.QUEUED, _S.DELETED}),
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
    if to in FORGETS_START:
        job.start_key = None
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
