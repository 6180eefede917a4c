"""schedules and their runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = app.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("owner_name", sa.String(length=255), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("report_type", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("canvas_account_id", sa.Integer(), nullable=True),
        sa.Column("canvas_course_id", sa.Integer(), nullable=True),
        sa.Column("canvas_quiz_id", sa.Integer(), nullable=True),
        sa.Column("canvas_assignment_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("cron", sa.String(length=128), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused_code", sa.String(length=32), nullable=True),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("paused_detail", sa.Text(), nullable=True),
        sa.Column("next_run_at", _WHEN, nullable=True),
        sa.Column("last_slot_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"],
            name=op.f("fk_schedule_platform_id_platform"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    op.create_index("ix_schedule_due", "schedule", ["status", "next_run_at"], unique=False)
    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", _WHEN, nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_schedule_run_job_id_job"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedule.id"],
            name=op.f("fk_schedule_run_schedule_id_schedule"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_run")),
        sa.UniqueConstraint(
            "schedule_id", "slot_at", name=op.f("uq_schedule_run_schedule_id_slot_at")
        ),
    )
    op.create_index(
        op.f("ix_schedule_run_schedule_id"), "schedule_run", ["schedule_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_schedule_run_schedule_id"), table_name="schedule_run")
    op.drop_table("schedule_run")
    op.drop_index("ix_schedule_due", table_name="schedule")
    op.drop_table("schedule")
