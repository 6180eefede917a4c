"""The audit trail as CSV for account admins (one account and its sub-accounts)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.csv_safety import neutralise
from app.models.job import AuditEvent

COLUMNS = (
    "at", "canvas_user_id", "user_name", "action", "job_id", "canvas_account_id",
    "canvas_course_id", "detail",
)  # fmt: skip
_PAGE = 1000


def audit_csv(
    session: Session, platform_id: int, account_ids: Collection[int]
) -> Iterator[str]:
    """Every audit entry of the accounts, oldest first, streamed a page at a time.

    Course entries are included when they were recorded with one of the accounts (a course
    report started from an account launch); names and details are neutralised.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    last_id = 0
    ids = sorted(account_ids)
    while True:
        page = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.platform_id == platform_id,
                AuditEvent.canvas_account_id.in_(ids),
                AuditEvent.id > last_id,
            )
            .order_by(AuditEvent.id)
            .limit(_PAGE)
        ).all()
        if not page:
            return
        buffer.seek(0)
        buffer.truncate()
        for event in page:
            writer.writerow(
                [
                    event.at.isoformat(),
                    "" if event.canvas_user_id is None else str(event.canvas_user_id),
                    neutralise(event.user_name),
                    event.action,
                    "" if event.job_id is None else str(event.job_id),
                    "" if event.canvas_account_id is None else str(event.canvas_account_id),
                    "" if event.canvas_course_id is None else str(event.canvas_course_id),
                    neutralise(event.detail),
                ]
            )
        yield buffer.getvalue()
        last_id = page[-1].id
