"""Wake a user's jobs that wait for authorization, the moment the user authorizes.

Without a usable token the worker parks a job (``worker._wait_for_authorization``): it sets
``WAITING_FOR_AUTHORIZATION`` as the job's error and pushes its next poll ``max_delay``
ahead. A token Canvas revokes in the middle of a poll parks the job the same way, with the
token layer's message (``refresh.REVOKED`` / ``refresh.NEEDS_AUTHORIZATION``, set by
``app/reports/refresh.py``). After a successful OAuth callback the web layer calls
``wake_authorized_user`` in the same transaction that stores the token, commits, and
schedules the returned jobs with ``worker.schedule_polls``, so they are polled at once
instead of up to ``max_delay`` later.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.canvas import refresh
from app.i18n import N_
from app.models.job import Job
from app.reports.status import WORKED

log = logging.getLogger(__name__)

# The error ``worker._wait_for_authorization`` sets (a test keeps the two identical).
WAITING_FOR_AUTHORIZATION = N_("Waiting for the user to authorize the tool in Canvas again.")

# Every error that means "this job waits for its user to authorize the tool".
AUTHORIZATION_MESSAGES = (WAITING_FOR_AUTHORIZATION, refresh.REVOKED, refresh.NEEDS_AUTHORIZATION)

_LIVE_VALUES = tuple(status.value for status in WORKED)


def wake_authorized_user(
    session: Session, platform_id: int, canvas_user_id: int, now: datetime
) -> list[Job]:
    """Make the user's live jobs on ``platform_id`` that wait for authorization (their error
    is one of ``AUTHORIZATION_MESSAGES``) due ``now``.

    Their waiting message is cleared; other jobs (other users, other platforms, finished
    or stale jobs, jobs waiting for anything else) are left alone. The caller commits,
    then schedules the returned jobs.
    """
    jobs = list(
        session.scalars(
            select(Job)
            .where(
                Job.platform_id == platform_id,
                Job.canvas_user_id == canvas_user_id,
                Job.status.in_(_LIVE_VALUES),
                Job.error.in_(AUTHORIZATION_MESSAGES),
            )
            .order_by(Job.id)
        )
    )
    for job in jobs:
        job.next_poll_at = now
        job.error = None
    if jobs:
        session.flush()
        log.info(
            "jobs.woken_after_authorization",
            extra={
                "platform_id": platform_id,
                "canvas_user_id": canvas_user_id,
                "count": len(jobs),
            },
        )
    return jobs
