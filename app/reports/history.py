"""One history per account report type: Canvas's ``index`` merged with our own jobs.

Canvas lists its non-deleted runs (whoever started them); we add the runs we started
that Canvas no longer lists (deleted, or from another page), newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.models.job import Job
from app.models.launch import Launch
from app.reports.access import require_account_admin
from app.reports.kinds import Family
from app.reports.observe import from_account_report


@dataclass(frozen=True)
class HistoryEntry:
    canvas_report_id: int | None
    job: Job | None  # our row, when the tool started (or tracks) this run
    status: str  # normalized (reports/status.py)
    percent: float
    created_at: datetime | None
    file_name: str | None
    file_size: int | None
    parameters: dict[str, object]


def account_history(
    session: Session, client: CanvasClient, launch: Launch, report_type: str
) -> list[HistoryEntry]:
    """Merged history, newest first; our row wins for display when both exist."""
    account_id = require_account_admin(launch)
    jobs = session.scalars(
        select(Job)
        .where(
            Job.platform_id == launch.platform_id,
            Job.family == Family.ACCOUNT.value,
            Job.canvas_account_id == account_id,
            Job.report_type == report_type,
        )
        .order_by(Job.created_at.desc(), Job.id.desc())
    ).all()
    by_report = {job.canvas_report_id: job for job in jobs if job.canvas_report_id is not None}
    entries: list[HistoryEntry] = []
    seen: set[int] = set()
    for report in client.list_account_reports(account_id, report_type):
        seen.add(report.id)
        job = by_report.get(report.id)
        if job is not None:
            entries.append(_from_job(job))
            continue
        observed = from_account_report(report)
        entries.append(
            HistoryEntry(
                canvas_report_id=report.id,
                job=None,
                status=observed.status.value,
                percent=observed.percent or 0.0,
                created_at=report.created_at,
                file_name=observed.file.name if observed.file else None,
                file_size=observed.file.size if observed.file else None,
                parameters=dict(report.parameters or {}),
            )
        )
    entries.extend(_from_job(job) for job in jobs if job.canvas_report_id not in seen)
    entries.sort(key=_newest_first)
    return entries


def _from_job(job: Job) -> HistoryEntry:
    return HistoryEntry(
        canvas_report_id=job.canvas_report_id,
        job=job,
        status=job.status,
        percent=job.percent,
        created_at=job.created_at,
        file_name=job.file_name,
        file_size=job.file_size,
        parameters=dict(job.parameters),
    )


def _newest_first(entry: HistoryEntry) -> tuple[float, int]:
    stamp = entry.created_at.timestamp() if entry.created_at else 0.0
    return (-stamp, -(entry.canvas_report_id or 0))
