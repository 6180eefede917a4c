"""How long the tool keeps what, per institution (platform); docs/privacy.md."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

DEFAULT_JOB_DAYS = 90
DEFAULT_AUDIT_DAYS = 365


class RetentionPolicy(Base):
    """One platform's retention periods; a platform without a row uses the defaults."""

    __tablename__ = "retention_policy"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True
    )
    job_days: Mapped[int] = mapped_column(default=DEFAULT_JOB_DAYS)
    audit_days: Mapped[int] = mapped_column(default=DEFAULT_AUDIT_DAYS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255), default="")
