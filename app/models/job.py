"""Tracked Canvas report jobs, their state history, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow

# Statuses in which a job holds its Canvas report/Progress (``status.TRACKING``; a unit test
# keeps the two equal). Written out here because the models sit below ``app.reports``.
_TRACKING_SQL = "status IN ('starting', 'queued', 'running', 'stale')"
_HAS_START_KEY = text("start_key IS NOT NULL")
_TRACKS_REPORT = text(f"canvas_report_id IS NOT NULL AND {_TRACKING_SQL}")
_TRACKS_PROGRESS = text(f"canvas_progress_id IS NOT NULL AND {_TRACKING_SQL}")


class Job(Base):
    """One Canvas report run as the tool tracks it (status normalized by reports/status.py)."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_due", "status", "next_poll_at"),
        # Pages list a context's newest jobs: these serve "WHERE platform, account|course
        # ORDER BY created_at DESC LIMIT n" from the index instead of sorting every job of
        # the context (benchmarks/pages.py: 5-6 ms per list at 5,000 jobs, growing linearly).
        Index("ix_job_account_recent", "platform_id", "canvas_account_id", "created_at"),
        Index("ix_job_course_recent", "platform_id", "canvas_course_id", "created_at"),
        # Identical starts (same user, context, report, parameters) inside the start window
        # are one job, whoever commits first (docs/reports.md "Starts").
        Index(
            "uq_job_start_key",
            "platform_id",
            "start_key",
            unique=True,
            sqlite_where=_HAS_START_KEY,
            postgresql_where=_HAS_START_KEY,
        ),
        # Two live jobs never follow one Canvas report or Progress.
        Index(
            "uq_job_canvas_report",
            "platform_id",
            "family",
            "canvas_report_id",
            unique=True,
            sqlite_where=_TRACKS_REPORT,
            postgresql_where=_TRACKS_REPORT,
        ),
        Index(
            "uq_job_canvas_progress",
            "platform_id",
            "family",
            "canvas_progress_id",
            unique=True,
            sqlite_where=_TRACKS_PROGRESS,
            postgresql_where=_TRACKS_PROGRESS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    canvas_user_id: Mapped[int]
    user_name: Mapped[str] = mapped_column(String(255), default="")
    family: Mapped[str] = mapped_column(String(32))  # account|course|quiz|new_quiz
    report_type: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(512), default="")  # shown in lists
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    canvas_account_id: Mapped[int | None]
    canvas_course_id: Mapped[int | None]
    canvas_quiz_id: Mapped[int | None]
    canvas_assignment_id: Mapped[int | None]
    group_key: Mapped[str | None] = mapped_column(String(64))  # split runs share one
    # Digest of (platform, user, context, family, type, parameters) while the start window
    # lasts; cleared when the job fails, is aborted or deleted, or a later start finds it old.
    start_key: Mapped[str | None] = mapped_column(String(64))
    canvas_report_id: Mapped[int | None]
    canvas_progress_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    canvas_state: Mapped[str | None] = mapped_column(String(32))
    percent: Mapped[float] = mapped_column(default=0.0)
    current_line: Mapped[int | None]
    file_id: Mapped[int | None]
    file_name: Mapped[str | None] = mapped_column(String(512))
    file_size: Mapped[int | None]
    file_content_type: Mapped[str | None] = mapped_column(String(128))
    file_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    last_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    polls: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    next_poll_at: Mapped[datetime | None]
    progress_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)  # of the current Canvas run
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    events: Mapped[list[JobEvent]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobEvent.id"
    )


class JobEvent(Base):
    """Append-only history of a job's status changes."""

    __tablename__ = "job_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")

    job: Mapped[Job] = relationship(back_populates="events")


class AuditEvent(Base):
    """Who started, aborted, deleted or downloaded what, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_platform_at", "platform_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    canvas_user_id: Mapped[int | None]
    user_name: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    canvas_account_id: Mapped[int | None]
    canvas_course_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")
