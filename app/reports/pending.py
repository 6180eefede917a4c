"""Recording a start: its key, the start window, and the one row per identical start.

A start request never waits for Canvas: it records a ``starting`` job (``new_job``) and the
worker makes the create call (``families/run.py``). Identical starts (same user, context,
family, report type and normalised parameters) inside ``START_WINDOW`` are one job, enforced
by the unique index on ``(platform_id, start_key)``: whoever commits second gets the first
one's job back (``record``). Every function flushes; the caller commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import BadRequest
from app.i18n import N_
from app.models.job import Job, JobEvent
from app.models.launch import Launch
from app.reports import audit
from app.reports.kinds import Family
from app.reports.status import JobStatus

# Identical starts closer together than this are one job (double clicks, retried requests,
# two tabs); a finished, failed or older job no longer holds its key.
START_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class Started:
    """The jobs a start request produced; ``reused`` when an identical start (or a report
    another job already follows) answered instead of a new one."""

    jobs: list[Job]
    reused: bool = False


def user_id(launch: Launch) -> int:
    """The launch's Canvas user id.

    Raises:
        BadRequest: the launch names none.
    """
    if launch.canvas_user_id is None:
        raise BadRequest(_("This launch does not identify a Canvas user."))
    return launch.canvas_user_id


def start_key(
    launch: Launch,
    family: Family,
    report_type: str,
    context: Sequence[Any],
    parameters: Mapping[str, Any],
) -> str:
    """SHA-256 of who, where and what: equal for identical starts, whatever the form order."""
    material = json.dumps(
        [
            launch.platform_id,
            user_id(launch),
            family.value,
            list(context),
            report_type,
            dict(parameters),
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def new_job(launch: Launch, family: Family, report_type: str, now: datetime, **fields: Any) -> Job:
    return Job(
        platform_id=launch.platform_id,
        canvas_user_id=user_id(launch),
        user_name=launch.user_name,
        family=family.value,
        report_type=report_type,
        status=JobStatus.STARTING.value,
        percent=0.0,
        polls=0,
        retries=0,
        created_at=now,
        updated_at=now,
        started_at=now,
        progress_changed_at=now,
        next_poll_at=now,  # the worker makes the create call at once
        events=[],
        **fields,
    )


def record(session: Session, launch: Launch, jobs: list[Job], now: datetime) -> Started:
    """Insert ``jobs`` (each with its ``start_key``) unless an identical start holds a key;
    then that start's jobs come back (``reused``), whoever won the race.

    The common path is one SELECT and the INSERTs: a key older than the window is freed
    (UPDATE) only when one is found; a race both transactions lose to the look is settled
    by the unique index (the loser rolls back, nothing else was written, and answers with
    the winner's job).
    """
    keys = [job.start_key for job in jobs if job.start_key is not None]
    holders = _holders(session, launch, keys)
    fresh = [
        job
        for job in holders
        if job.status == JobStatus.STARTING.value or job.created_at >= now - START_WINDOW
    ]
    if fresh:
        return Started(_with_group(session, fresh[0]), reused=True)
    if holders:  # older than the window: the jobs stay, their keys stop answering
        session.execute(
            update(Job)
            .where(Job.id.in_([job.id for job in holders]))
            .values(start_key=None)
            .execution_options(synchronize_session=False)
        )
    session.add_all(jobs)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        winners = _holders(session, launch, keys)
        if not winners:
            raise
        return Started(_with_group(session, winners[0]), reused=True)
    detail = N_("Recorded; starting in Canvas")  # stored in English, shown translated
    for job in jobs:
        job.events.append(JobEvent(at=now, from_status=None, to_status=job.status, detail=detail))
        audit.record(session, launch, audit.Action.START, now, job=job, detail=detail)
    session.flush()
    return Started(jobs)


def _holders(session: Session, launch: Launch, keys: list[str]) -> list[Job]:
    """The jobs holding any of ``keys`` on the launch's platform, oldest first."""
    query = select(Job).where(Job.platform_id == launch.platform_id, Job.start_key.in_(keys))
    return list(session.scalars(query.order_by(Job.id)))


def _with_group(session: Session, job: Job) -> list[Job]:
    if job.group_key is None:
        return [job]
    query = select(Job).where(Job.platform_id == job.platform_id, Job.group_key == job.group_key)
    return list(session.scalars(query.order_by(Job.id)))
