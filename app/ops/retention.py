"""Retention: list tracked jobs and purge finished ones (with their history) after N days.

Audit events are the record of who did what; they outlive the jobs they name (their
``job_id`` becomes NULL) unless the operator includes them explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.models.job import AuditEvent, Job, JobEvent

# The terminal states (app.reports.status.FINISHED); a stale job may still be resumed.
FINISHED_STATUSES: tuple[str, ...] = ("complete", "failed", "aborted", "deleted")
ALL_STATUSES: tuple[str, ...] = (*FINISHED_STATUSES, "queued", "running", "stale")


@dataclass(frozen=True)
class PurgeResult:
    jobs: int
    job_events: int
    audit_events: int


def list_jobs(
    session: Session,
    *,
    now: datetime,
    status: str | None = None,
    older_than_days: int | None = None,
    limit: int = 1000,
) -> Sequence[Job]:
    """Jobs newest first, optionally of one status and created more than N days ago."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Job.status == status)
    if older_than_days is not None:
        query = query.where(Job.created_at < now - timedelta(days=older_than_days))
    return session.scalars(query).all()


def purge_jobs(
    session: Session, *, now: datetime, older_than_days: int, include_audit: bool = False
) -> PurgeResult:
    """Delete finished jobs (and their events) that finished more than N days ago.

    The caller commits. Running, queued and stale jobs are never touched.
    """
    cutoff = now - timedelta(days=older_than_days)
    finished_at = func.coalesce(Job.finished_at, Job.updated_at)
    ids = list(
        session.scalars(
            select(Job.id).where(Job.status.in_(FINISHED_STATUSES), finished_at < cutoff)
        )
    )
    job_events = 0
    audit_events = 0
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        job_events += _count(session.execute(delete(JobEvent).where(JobEvent.job_id.in_(chunk))))
        session.execute(update(AuditEvent).where(AuditEvent.job_id.in_(chunk)).values(job_id=None))
        session.execute(delete(Job).where(Job.id.in_(chunk)))
    if include_audit:
        audit_events = _count(session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)))
    return PurgeResult(jobs=len(ids), job_events=job_events, audit_events=audit_events)


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", 0)
    return int(rowcount) if isinstance(rowcount, int) and rowcount > 0 else 0
