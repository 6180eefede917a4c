"""safe starts: job.start_key, one job per pending start, one live job per Canvas report

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRACKING = "status IN ('starting', 'queued', 'running', 'stale')"
_HAS_START_KEY = sa.text("start_key IS NOT NULL")
_TRACKS_REPORT = sa.text(f"canvas_report_id IS NOT NULL AND {_TRACKING}")
_TRACKS_PROGRESS = sa.text(f"canvas_progress_id IS NOT NULL AND {_TRACKING}")


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_job_start_key",
        "job",
        ["platform_id", "start_key"],
        unique=True,
        sqlite_where=_HAS_START_KEY,
        postgresql_where=_HAS_START_KEY,
    )
    op.create_index(
        "uq_job_canvas_report",
        "job",
        ["platform_id", "family", "canvas_report_id"],
        unique=True,
        sqlite_where=_TRACKS_REPORT,
        postgresql_where=_TRACKS_REPORT,
    )
    op.create_index(
        "uq_job_canvas_progress",
        "job",
        ["platform_id", "family", "canvas_progress_id"],
        unique=True,
        sqlite_where=_TRACKS_PROGRESS,
        postgresql_where=_TRACKS_PROGRESS,
    )


def downgrade() -> None:
    op.drop_index("uq_job_canvas_progress", table_name="job")
    op.drop_index("uq_job_canvas_report", table_name="job")
    op.drop_index("uq_job_start_key", table_name="job")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("start_key")
