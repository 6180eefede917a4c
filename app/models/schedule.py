"""Recurring report schedules and their runs (docs/schedules.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Schedule(Base):
    """A report its owner wants started at every slot of a cron expression in a time zone.

    ``parameters`` may hold relative values (``@today``, ``@days_ago:7``, ``@current_term``)
    that each run resolves at its slot (``app/reports/schedules/relative.py``).
    """

    __tablename__ = "schedule"
    __table_args__ = (Index("ix_schedule_due", "status", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    owner_user_id: Mapped[int]
    owner_name: Mapped[str] = mapped_column(String(255), default="")
    family: Mapped[str] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(512), default="")
    canvas_account_id: Mapped[int | None]
    canvas_course_id: Mapped[int | None]
    canvas_quiz_id: Mapped[int | None]
    canvas_assignment_id: Mapped[int | None]
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cadence: Mapped[str] = mapped_column(String(16))  # daily|weekly|monthly|cron
    cron: Mapped[str] = mapped_column(String(128))
    time_zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|paused
    paused_code: Mapped[str | None] = mapped_column(String(32))  # owner|authorization|canvas
    paused_reason: Mapped[str | None] = mapped_column(Text)  # English msgid, shown translated
    paused_detail: Mapped[str | None] = mapped_column(Text)  # Canvas's own words, if any
    next_run_at: Mapped[datetime | None]
    last_slot_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    runs: Mapped[list[ScheduleRun]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="ScheduleRun.slot_at"
    )


class ScheduleRun(Base):
    """One slot of a schedule; the unique (schedule, slot) makes every slot run once, across
    workers and restarts."""

    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("schedule_id", "slot_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedule.id", ondelete="CASCADE"), index=True
    )
    slot_at: Mapped[datetime]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(32), default="started")  # started|skipped
    detail: Mapped[str] = mapped_column(Text, default="")

    schedule: Mapped[Schedule] = relationship(back_populates="runs")
