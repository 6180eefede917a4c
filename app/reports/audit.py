"""The audit trail: who started, aborted, deleted, retried or downloaded what, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.job import AuditEvent, Job
from app.models.launch import Launch


class Action(StrEnum):
    START = "start"
    ABORT = "abort"
    DELETE = "delete"
    RETRY = "retry"
    DOWNLOAD = "download"
    DENIED = "denied"  # Canvas refused the viewer the object (app/reports/rights.py)
    FORGET = "forget"  # a user was forgotten (app/reports/stewardship/forget.py)
    RETENTION = "retention"  # the platform's retention periods changed
    SCHEDULE = "schedule"  # a schedule was created or deleted


def record(
    session: Session,
    launch: Launch,
    action: Action,
    now: datetime,
    *,
    job: Job | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one audit event (flushed with the caller's transaction)."""
    event = AuditEvent(
        platform_id=launch.platform_id,
        at=now,
        canvas_user_id=launch.canvas_user_id,
        user_name=launch.user_name,
        action=action.value,
        job_id=job.id if job is not None else None,
        canvas_account_id=(job.canvas_account_id if job is not None else None)
        or launch.canvas_account_id,
        canvas_course_id=(job.canvas_course_id if job is not None else None)
        or launch.canvas_course_id,
        detail=detail,
    )
    session.add(event)
    return event


def recent(
    session: Session, account_id: int, platform_id: int, limit: int = 100
) -> Sequence[AuditEvent]:
    """Newest events of one account (account reports, and course events launched from it)."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.platform_id == platform_id,
            AuditEvent.canvas_account_id == account_id,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()
