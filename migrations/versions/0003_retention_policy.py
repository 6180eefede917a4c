"""retention policy per platform

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_policy",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("job_days", sa.Integer(), nullable=False),
        sa.Column("audit_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"],
            name=op.f("fk_retention_policy_platform_id_platform"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", name=op.f("pk_retention_policy")),
    )


def downgrade() -> None:
    op.drop_table("retention_policy")
