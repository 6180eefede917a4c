"""Retention periods per platform, and applying them (the worker runs ``apply_all`` daily).

What is kept (docs/privacy.md): finished jobs with their history (report names, Canvas ids,
file names; never file contents) and schedules' runs for ``job_days`` after they finished;
audit entries (who started, aborted, deleted, downloaded or was refused what) for
``audit_days``. Live jobs are
never purged. Launch records and launch state expire on their own within a day
(``app/lti/housekeeping.py``); nothing else is cached beyond a process's memory (at most 5
minutes for Canvas lists, 60 s for a Canvas permission answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.errors import BadRequest
from app.models.job import AuditEvent, Job, JobEvent
from app.models.platform import Platform
from app.models.retention import DEFAULT_AUDIT_DAYS, DEFAULT_JOB_DAYS, RetentionPolicy
from app.models.schedule import Schedule, ScheduleRun
from app.reports.status import FINISHED

MIN_DAYS, MAX_DAYS = 1, 3650
_BATCH = 500


@dataclass(frozen=True)
class Periods:
    job_days: int
    audit_days: int


@dataclass(frozen=True)
class Purged:
    jobs: int
    audit_events: int


def periods(session: Session, platform_id: int) -> Periods:
    """The platform's periods (the defaults when none were set)."""
    row = session.get(RetentionPolicy, platform_id)
    if row is None:
        return Periods(DEFAULT_JOB_DAYS, DEFAULT_AUDIT_DAYS)
    return Periods(row.job_days, row.audit_days)


def parse_days(raw: str | None, label: str) -> int:
    """A number of days from a form field, 1-3650.

    Raises:
        BadRequest: not a whole number in range (the message names the field).
    """
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
        raise BadRequest(
            _("%(field)s must be a whole number of days from %(min)s to %(max)s.",
              field=label, min=MIN_DAYS, max=MAX_DAYS)
        )  # fmt: skip
    return int(text)


def save(
    session: Session, platform_id: int, wanted: Periods, by: str, now: datetime
) -> RetentionPolicy:
    """Store new periods (the caller commits); applied at the next daily run."""
    row = session.get(RetentionPolicy, platform_id)
    if row is None:
        row = RetentionPolicy(platform_id=platform_id)
        session.add(row)
    row.job_days, row.audit_days = wanted.job_days, wanted.audit_days
    row.updated_at, row.updated_by = now, by
    return row


def apply(session: Session, platform_id: int, now: datetime) -> Purged:
    """Delete what is older than the platform's periods (the caller commits)."""
    kept = periods(session, platform_id)
    job_cutoff = now - timedelta(days=kept.job_days)
    finished_at = func.coalesce(Job.finished_at, Job.updated_at)
    ids = list(
        session.scalars(
            select(Job.id).where(
                Job.platform_id == platform_id,
                Job.status.in_([status.value for status in FINISHED]),
                finished_at < job_cutoff,
            )
        )
    )
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        session.execute(delete(JobEvent).where(JobEvent.job_id.in_(chunk)))
        session.execute(update(AuditEvent).where(AuditEvent.job_id.in_(chunk)).values(job_id=None))
        session.execute(delete(Job).where(Job.id.in_(chunk)))
    # A schedule's run history follows the same period as the jobs it started.
    schedules = select(Schedule.id).where(Schedule.platform_id == platform_id)
    session.execute(
        delete(ScheduleRun).where(
            ScheduleRun.schedule_id.in_(schedules), ScheduleRun.slot_at < job_cutoff
        )
    )
    audit = session.execute(
        delete(AuditEvent).where(
            AuditEvent.platform_id == platform_id,
            AuditEvent.at < now - timedelta(days=kept.audit_days),
        )
    )
    return Purged(jobs=len(ids), audit_events=max(0, int(getattr(audit, "rowcount", 0) or 0)))


def apply_all(session: Session, now: datetime) -> dict[int, Purged]:
    """``apply`` for every platform."""
    return {pid: apply(session, pid, now) for pid in session.scalars(select(Platform.id))}
