"""Running due schedules: one run per slot, one catch-up after downtime, pause on refusal.

``tick`` is called every minute by the job library's periodic task (``schedules.tick`` in
``app/reports/worker.py``), on every worker. For each active schedule whose ``next_run_at``
has come it takes the *latest* slot at or before now (so after downtime it runs once, not
once per missed slot), claims it by inserting ``ScheduleRun(schedule, slot)`` (unique in
the database: a second worker's insert fails and it moves on), resolves relative
parameters at the slot's local date and starts the report through ``starter`` as the
owner. A schedule pauses itself, with the reason shown, when the owner has no usable
Canvas token, or when Canvas refused the previous run; ``resume_authorized`` restarts the
token-paused ones when the owner authorizes again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasThrottled,
    CanvasUnavailable,
)
from app.errors import NotFound
from app.i18n import N_
from app.models.canvas_token import CanvasToken
from app.models.job import Job
from app.models.schedule import Schedule, ScheduleRun
from app.reports.schedules.cadence import Cadence
from app.reports.schedules.relative import RelativeError, resolve
from app.reports.wake import AUTHORIZATION_MESSAGES

log = logging.getLogger(__name__)

ACTIVE, PAUSED = "active", "paused"
BY_OWNER, FOR_AUTHORIZATION, BY_CANVAS = "owner", "authorization", "canvas"
_BATCH = 100
RETRY_AFTER = timedelta(minutes=5)

#: ``starter(session, schedule, parameters, now) -> jobs``: start the report as the owner.
Starter = Callable[[Session, Schedule, dict[str, object], datetime], Sequence[Job]]
#: ``terms(schedule, day) -> term id``: the account's term containing the run's day.
TermFinder = Callable[[Schedule, datetime], int | None]

# Stored in English (the worker has no request locale) and translated where shown.
NEEDS_AUTHORIZATION = N_(
    "The owner's Canvas authorization is missing or was revoked; the schedule resumes when "
    "they authorize the tool again."
)
CANVAS_REFUSED = N_("Canvas refused the last run; the owner may resume the schedule.")


@dataclass(frozen=True)
class TickResult:
    """Schedule ids by outcome, and the jobs the started runs created."""

    started: list[int]
    paused: list[int]
    skipped: list[int]
    job_ids: list[int] = field(default_factory=list)


def cadence_of(schedule: Schedule) -> Cadence:
    return Cadence(schedule.cadence, schedule.cron, schedule.time_zone)


def pause(schedule: Schedule, code: str, reason: str, detail: str | None = None) -> None:
    """Paused with ``reason`` (an English msgid) and Canvas's own words in ``detail``."""
    schedule.status, schedule.paused_code = PAUSED, code
    schedule.paused_reason, schedule.paused_detail = reason, detail


def _has_token(session: Session, schedule: Schedule) -> bool:
    return (
        session.scalar(
            select(CanvasToken.id).where(
                CanvasToken.platform_id == schedule.platform_id,
                CanvasToken.canvas_user_id == schedule.owner_user_id,
            )
        )
        is not None
    )


def _previous_refusal(
    session: Session, schedule: Schedule
) -> tuple[str, str, str | None] | None:
    """(pause code, reason) when the last run's job shows Canvas refused the owner."""
    job = session.scalar(
        select(Job)
        .join(ScheduleRun, ScheduleRun.job_id == Job.id)
        .where(ScheduleRun.schedule_id == schedule.id)
        .order_by(ScheduleRun.slot_at.desc())
        .limit(1)
    )
    if job is None or not job.error:
        return None
    if job.error in AUTHORIZATION_MESSAGES:
        return FOR_AUTHORIZATION, NEEDS_AUTHORIZATION, None
    if job.status == "failed" and job.canvas_report_id is None and job.canvas_progress_id is None:
        return BY_CANVAS, CANVAS_REFUSED, job.error
    return None


def _claim(session: Session, schedule: Schedule, slot: datetime, now: datetime) -> ScheduleRun:
    """Insert the slot's run (and mark the slot taken); IntegrityError when another worker
    already has it."""
    run = ScheduleRun(schedule_id=schedule.id, slot_at=slot, created_at=now)
    session.add(run)
    schedule.last_slot_at = slot
    session.flush()
    return run


def tick(
    session: Session,
    now: datetime,
    starter: Starter,
    current_term: TermFinder,
) -> TickResult:
    """Run every due schedule once (the caller's session; commits after each schedule)."""
    result = TickResult([], [], [])
    due = session.scalars(
        select(Schedule)
        .where(Schedule.status == ACTIVE, Schedule.next_run_at <= now)
        .order_by(Schedule.next_run_at, Schedule.id)
        .limit(_BATCH)
    ).all()
    for schedule in due:
        _run_one(session, schedule, now, (starter, current_term), result)
        session.commit()
    return result


def _run_one(
    session: Session,
    schedule: Schedule,
    now: datetime,
    canvas: tuple[Starter, TermFinder],
    result: TickResult,
) -> None:
    starter, current_term = canvas
    cadence = cadence_of(schedule)
    slot = cadence.latest_at_or_before(now)
    schedule.next_run_at = cadence.next_after(now)
    if slot is None or (schedule.last_slot_at is not None and slot <= schedule.last_slot_at):
        return
    refusal = _previous_refusal(session, schedule)
    if refusal is None and not _has_token(session, schedule):
        refusal = FOR_AUTHORIZATION, NEEDS_AUTHORIZATION, None
    if refusal is not None:
        pause(schedule, *refusal)
        result.paused.append(schedule.id)
        log.info("schedule.paused", extra={"schedule_id": schedule.id, "code": refusal[0]})
        return
    try:
        run = _claim(session, schedule, slot, now)
    except IntegrityError:
        session.rollback()
        log.info("schedule.slot_taken", extra={"schedule_id": schedule.id})
        return
    # The slot is ours and committed: no write transaction is held across Canvas calls (on
    # SQLite it would block the token refresh and every other writer meanwhile).
    session.commit()
    local_day = slot.astimezone(cadence.zone)
    try:
        parameters = resolve(
            schedule.parameters, local_day.date(), lambda: current_term(schedule, local_day)
        )
        jobs = starter(session, schedule, parameters, now)
    except (CanvasUnavailable, CanvasThrottled):
        # Canvas is down or throttling: give the slot back and try it again shortly.
        session.rollback()
        session.delete(run)
        schedule.last_slot_at = _previous_slot(session, schedule)
        schedule.next_run_at = now + RETRY_AFTER
        result.skipped.append(schedule.id)
        log.info("schedule.canvas_unavailable", extra={"schedule_id": schedule.id})
        return
    except RelativeError as error:
        run.outcome, run.detail = "skipped", error.english
        result.skipped.append(schedule.id)
        return
    except CanvasAuthorizationRequired:
        session.rollback()
        run.outcome, run.detail = "skipped", NEEDS_AUTHORIZATION
        pause(schedule, FOR_AUTHORIZATION, NEEDS_AUTHORIZATION)
        result.paused.append(schedule.id)
        return
    except (CanvasNotPermitted, NotFound, CanvasNotFound) as error:
        session.rollback()
        run.outcome, run.detail = "skipped", error.message
        pause(schedule, BY_CANVAS, CANVAS_REFUSED, error.message)
        result.paused.append(schedule.id)
        return
    run.job_id = jobs[0].id if jobs else None
    result.started.append(schedule.id)
    result.job_ids.extend(job.id for job in jobs)
    log.info("schedule.started", extra={"schedule_id": schedule.id, "slot": slot.isoformat()})


def _previous_slot(session: Session, schedule: Schedule) -> datetime | None:
    return session.scalar(
        select(ScheduleRun.slot_at)
        .where(ScheduleRun.schedule_id == schedule.id)
        .order_by(ScheduleRun.slot_at.desc())
        .limit(1)
    )


def resume(schedule: Schedule, now: datetime) -> None:
    """Active again; a slot missed while paused runs once at the next tick (catch-up)."""
    cadence = cadence_of(schedule)
    schedule.status, schedule.paused_code = ACTIVE, None
    schedule.paused_reason = schedule.paused_detail = None
    missed = cadence.latest_at_or_before(now)
    if missed is not None and (schedule.last_slot_at is None or missed > schedule.last_slot_at):
        schedule.next_run_at = now
    else:
        schedule.next_run_at = cadence.next_after(now)


def resume_authorized(
    session: Session, platform_id: int, canvas_user_id: int, now: datetime
) -> list[Schedule]:
    """After the owner authorizes again: resume their schedules paused for authorization."""
    paused = list(
        session.scalars(
            select(Schedule).where(
                Schedule.platform_id == platform_id,
                Schedule.owner_user_id == canvas_user_id,
                Schedule.status == PAUSED,
                Schedule.paused_code == FOR_AUTHORIZATION,
            )
        )
    )
    for schedule in paused:
        resume(schedule, now)
    return paused
