"""The worker's half of a start: make the Canvas create call for a ``starting`` job.

A start request only records the job (``service.py``); the worker claims it like any due
job and calls ``run_start``. Nothing is written to the database until Canvas has answered
(SQLite's write lock is never held across a Canvas call). One attempt is at most: stop the
stuck run a retry replaces, look for a report a lost POST created, one POST, and one more
look if that POST's answer is lost — each Canvas request bounded by the start budget.
Canvas's answer decides: a refusal (401/403) fails the job in plain words; throttling, 5xx
and timeouts keep it ``starting`` and the worker tries again with backoff.

Texts recorded here are stored untranslated (no request, no user locale), like polling's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasConflict,
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasThrottled,
    CanvasUnavailable,
    CanvasUnprocessable,
)
from app.i18n import N_
from app.models.job import Job, JobEvent
from app.reports import families, observe
from app.reports.kinds import Family
from app.reports.observe import Observation
from app.reports.polling import DEFAULT_POLICY, PollPolicy
from app.reports.status import TRACKING, JobStatus, move, status_of

log = logging.getLogger(__name__)

REFUSED = N_("Canvas does not allow you to start this report.")
NOT_FOUND = N_("Canvas does not have this report here (the quiz or report type may be gone).")
BUSY = N_("Canvas is already generating this report; try again in a few minutes.")
GAVE_UP = N_("Canvas did not accept the start for 30 minutes; try again later.")
TAKEN = N_("Another job in this tool already follows this Canvas report.")
STILL_RUNNING = N_(
    "Canvas is still generating the stuck report and does not allow stopping it yet."
)

# A start that Canvas keeps refusing transiently ends after this long (then "Retry").
GIVE_UP_AFTER = timedelta(minutes=30)
FIRST_RETRY = timedelta(seconds=2)
MAX_RETRY = timedelta(minutes=2)

_TRACKING_VALUES = [status.value for status in TRACKING]


def retry_delay(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, ... at most 2 minutes between create attempts."""
    delay: timedelta = min(MAX_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))
    return delay


def run_start(
    session: Session,
    client: CanvasClient,
    job: Job,
    now: datetime,
    *,
    budget_seconds: float,
    policy: PollPolicy = DEFAULT_POLICY,
) -> Job:
    """One create attempt for a ``starting`` job; the caller commits.

    Raises:
        CanvasAuthorizationRequired: the user's token is unusable (the caller parks the job).
    """
    earlier = job.polls
    job.polls += 1
    job.updated_at = now
    try:
        with client.budget(budget_seconds):
            seen = _attempt(session, client, job, now, earlier=earlier, policy=policy)
    except CanvasAuthorizationRequired:
        raise
    except (CanvasThrottled, CanvasUnavailable) as exc:
        return _later(job, now, exc.message)
    except CanvasConflict as exc:
        if earlier and Family(job.family) is Family.NEW_QUIZ:
            # Our lost POST's report runs in Canvas (no index to adopt it by): wait for it.
            return _later(job, now, BUSY)
        return _fail(job, now, BUSY if Family(job.family) is Family.NEW_QUIZ else exc.message)
    except CanvasUnprocessable as exc:
        if job.canvas_report_id is not None:  # the stuck quiz generation cannot be stopped
            return _fail(job, now, STILL_RUNNING)
        return _fail(job, now, exc.message)
    except CanvasNotPermitted:
        return _fail(job, now, REFUSED)
    except CanvasNotFound:
        return _fail(job, now, NOT_FOUND)
    except CanvasError as exc:
        return _fail(job, now, exc.message)
    if seen is None:  # a stuck run finished meanwhile: the job took its file
        return job
    with client.budget(budget_seconds):
        name_quiz(client, job)  # before anything is flushed (no write lock held meanwhile)
    return _attach(session, job, seen, now, policy)


def _attempt(
    session: Session,
    client: CanvasClient,
    job: Job,
    now: datetime,
    *,
    earlier: int,
    policy: PollPolicy,
) -> Observation | None:
    family = families.family_of(job)
    if job.canvas_report_id is not None or job.canvas_progress_id is not None:
        # A retry of a stuck run: take its file if Canvas finished it meanwhile, else stop it
        # so the new run never re-attaches to it.
        if _finished_meanwhile(client, job, now, policy):
            return None
        note = family.abandon(client, job)
        job.events.append(
            JobEvent(at=now, from_status=job.status, to_status=job.status, detail=note)
        )
        job.canvas_report_id = None
        job.canvas_progress_id = None
        job.canvas_state = None
    attempt = families.Attempt(
        job=job, began=job.started_at, tracked=_tracked(session, job), earlier_attempts=earlier
    )
    return families.create(client, attempt)


def _finished_meanwhile(client: CanvasClient, job: Job, now: datetime, policy: PollPolicy) -> bool:
    """An account/course run that Canvas completed after the job went stale keeps its file
    (a job also goes stale when nobody could poll it, e.g. a lapsed authorization)."""
    if Family(job.family) not in {Family.ACCOUNT, Family.COURSE}:
        return False
    try:
        seen = observe.fetch(client, job)
    except CanvasNotFound:
        return False
    if seen.status is not JobStatus.COMPLETE:
        return False
    observe.apply(job, seen, now, policy)
    return True


def _tracked(session: Session, job: Job) -> set[int]:
    """Canvas ids other live jobs of this platform, family and type already follow.

    Read without flushing: the attempt's Canvas calls must not run while this session holds
    SQLite's write lock (a token refresh, or a start request, would wait for it)."""
    with session.no_autoflush:
        return _tracked_ids(session, job)


def _tracked_ids(session: Session, job: Job) -> set[int]:
    rows = session.execute(
        select(Job.canvas_report_id, Job.canvas_progress_id).where(
            Job.platform_id == job.platform_id,
            Job.family == job.family,
            Job.report_type == job.report_type,
            Job.id != job.id,
            Job.status.in_(_TRACKING_VALUES),
            or_(Job.canvas_report_id.is_not(None), Job.canvas_progress_id.is_not(None)),
        )
    ).all()
    return {value for row in rows for value in row if value is not None}


def _attach(
    session: Session, job: Job, seen: Observation, now: datetime, policy: PollPolicy
) -> Job:
    """Follow the Canvas report ``seen`` describes; the unique indexes refuse a second job."""
    job.started_at = now
    job.progress_changed_at = now
    job.error = None
    job.polls = 0  # counted create attempts until now; from here, polls of the Canvas run
    try:
        with session.begin_nested():
            observe.apply(job, seen, now, policy)
            session.flush()
    except IntegrityError:
        session.refresh(job)
        job.canvas_report_id = None
        job.canvas_progress_id = None
        return _fail(job, now, TAKEN)
    log.info("job.started", extra={"job_id": job.id, "family": job.family})
    return job


def name_quiz(client: CanvasClient, job: Job) -> None:
    """Prefix a quiz job's title with the quiz's name when the start request could not
    (the user's course lists were not cached); best effort, one list call."""
    family = Family(job.family)
    if family not in {Family.QUIZ, Family.NEW_QUIZ} or " - " in job.title:
        return
    course_id = observe.require_id(job.canvas_course_id, "course")
    try:
        if family is Family.QUIZ:
            names = {quiz.id: quiz.title for quiz in client.list_quizzes(course_id)}
            name = names.get(job.canvas_quiz_id or 0, "")
        else:
            items = {item.id: item.name for item in client.list_assignments(course_id)}
            name = items.get(job.canvas_assignment_id or 0, "")
    except CanvasError:
        return
    if name:
        job.title = f"{name} - {job.title}"[:512]


def _later(job: Job, now: datetime, message: str) -> Job:
    """Canvas could not take the start now: stay ``starting`` and try again with backoff."""
    job.error = message
    if now - job.started_at > GIVE_UP_AFTER:
        return _fail(job, now, GAVE_UP)
    job.next_poll_at = now + retry_delay(job.polls)
    return job


def _fail(job: Job, now: datetime, message: str) -> Job:
    job.error = message
    if status_of(job) is JobStatus.STARTING:
        move(job, JobStatus.FAILED, now, detail=message)
    return job
