"""How a job's progress reads on the report pages: phase, elapsed time, race notices.

Shared by the templates (Jinja globals registered in ``app/web/reports/presenters.py``) and the
live-progress JSON, so the page as rendered and as redrawn by reports.js say the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from app.extensions import current_now
from app.models.job import Job
from app.reports.status import FINISHED, JobStatus

_PHASES = {
    "queued": lazy_gettext("Queued"),
    "running": lazy_gettext("Running"),
    "compiling": lazy_gettext("Compiling"),
}


def job_phase(row: Job, label_of: Callable[[str], str] = str) -> tuple[str, str]:
    """``(phase, label)``: queued, running or compiling while live (from Canvas's state as
    last polled: account reports say ``compiling`` while parallel parts are joined), else the
    final status."""
    status = JobStatus(row.status)
    if status is JobStatus.RUNNING and row.canvas_state == "compiling":
        return "compiling", str(_PHASES["compiling"])
    if status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return status.value, str(_PHASES[status.value])
    return status.value, label_of(status.value)


def elapsed_seconds(row: Job, now: datetime | None = None) -> int:
    """Seconds since the (latest) start, up to the finish for a finished job."""
    started = row.started_at or row.created_at
    if started is None:
        return 0
    end = row.finished_at if JobStatus(row.status) in FINISHED and row.finished_at else None
    end = end or now or current_now()
    if end.tzinfo is None and started.tzinfo is not None:
        end = end.replace(tzinfo=started.tzinfo)
    if started.tzinfo is None and end.tzinfo is not None:
        started = started.replace(tzinfo=end.tzinfo)
    return max(0, int((end - started).total_seconds()))


def elapsed_text(seconds: int) -> str:
    """``0:07``, ``12:30``, ``1:02:03`` (what reports.js writes too)."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def notice_text(notice: str | None) -> str:
    """What a page says after an action that lost its race (``?notice=`` on the way back)."""
    if notice == "finished":
        return str(_("This report had already finished: there was nothing left to abort."))
    if notice == "not_abortable":
        return str(_("Canvas does not allow aborting this report now."))
    return ""
