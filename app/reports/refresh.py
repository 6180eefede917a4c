"""One poll of one job: ask Canvas, record what it says, decide when to ask again.

This is the worker's unit of work (and what a page's action runs first to see Canvas's
current state). Polling runs outside any request, so what it records is not translated
(there is no user locale); the texts below are stored as written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasError, CanvasNotFound, CanvasThrottled, CanvasUnavailable
from app.i18n import N_
from app.models.job import Job
from app.reports import observe
from app.reports.kinds import Family
from app.reports.polling import DEFAULT_POLICY, PollPolicy
from app.reports.status import LIVE, JobStatus, move, status_of

GONE_TEXT = N_("Canvas no longer has this report.")
STALLED_TEXT = N_("No progress from Canvas for too long.")


def refresh_job(
    session: Session,
    client: CanvasClient,
    job: Job,
    now: datetime,
    policy: PollPolicy = DEFAULT_POLICY,
) -> Job:
    """Poll Canvas once for ``job`` and record what it says (the worker's unit of work).

    Transient Canvas trouble (throttling, outages, a missing token) only delays the
    next poll; a report Canvas no longer has becomes ``deleted`` (account/course) or
    ``failed``.
    """
    job.polls += 1
    try:
        seen = observe.fetch(client, job)
    except CanvasNotFound:
        if Family(job.family) in {Family.ACCOUNT, Family.COURSE}:
            move(job, JobStatus.DELETED, now, detail=GONE_TEXT)
        else:
            job.error = GONE_TEXT
            move(job, JobStatus.FAILED, now, detail=job.error)
        return job
    except (CanvasThrottled, CanvasUnavailable) as exc:
        job.error = exc.message
        job.next_poll_at = now + max(policy.budget_delay, policy.delay(now - job.started_at))
        _stale_check(job, now, policy)
        return job
    except CanvasError as exc:
        job.error = exc.message
        job.next_poll_at = now + policy.max_delay
        _stale_check(job, now, policy)
        return job
    observe.apply(job, seen, now, policy)
    session.flush()
    return job


def _stale_check(job: Job, now: datetime, policy: PollPolicy) -> None:
    if status_of(job) in LIVE and policy.stalled(job.family, job.progress_changed_at, now):
        move(job, JobStatus.STALE, now, detail=STALLED_TEXT)
