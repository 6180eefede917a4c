"""LTI launch state (OIDC state, nonce, pylti1p3 launch data) and recorded launches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class LaunchStateEntry(Base):
    """Short-lived key/value shared by every worker (pylti1p3 storage, used nonces)."""

    __tablename__ = "launch_state"
    __table_args__ = (Index("ix_launch_state_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class Launch(Base):
    """A validated launch: who, where, in which role; every later request is bound to one."""

    __tablename__ = "launch"
    __table_args__ = (Index("ix_launch_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    user_sub: Mapped[str] = mapped_column(String(255))
    canvas_user_id: Mapped[int | None]
    user_name: Mapped[str] = mapped_column(String(255), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    canvas_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    placement: Mapped[str] = mapped_column(String(64))
    context_type: Mapped[str] = mapped_column(String(16))  # "course" | "account"
    lti_context_id: Mapped[str | None] = mapped_column(String(255))
    context_title: Mapped[str] = mapped_column(String(255), default="")
    canvas_course_id: Mapped[int | None]
    canvas_account_id: Mapped[int | None]
    canvas_assignment_id: Mapped[int | None]
    canvas_quiz_id: Mapped[int | None]
    canvas_api_base_url: Mapped[str] = mapped_column(String(1024), default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
