"""Which tracked runs can be compared, and opening a comparison of two of them.

Both files stream from Canvas (nothing is stored); Canvas must let the viewer read both
reports now (``Judge.require_view(fresh=True)``), exactly as for a download, and both reads
are audited as downloads.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.errors import BadRequest, NotFound
from app.models.job import Job
from app.reports import audit
from app.reports.access import get_job, visible_jobs
from app.reports.diff.engine import ReportDiff, partitions_for
from app.reports.diff.keys import diffable
from app.reports.files import open_download
from app.reports.rights import Judge
from app.reports.status import JobStatus

_CANDIDATES = 20


def _is_csv(job: Job) -> bool:
    name = (job.file_name or "").lower()
    content_type = (job.file_content_type or "").lower()
    return name.endswith(".csv") or content_type.startswith("text/csv")


def _same_report(a: Job, b: Job) -> bool:
    return (
        a.family == b.family
        and a.report_type == b.report_type
        and a.canvas_account_id == b.canvas_account_id
        and a.canvas_course_id == b.canvas_course_id
        and a.canvas_quiz_id == b.canvas_quiz_id
        and a.canvas_assignment_id == b.canvas_assignment_id
    )


def comparable(job: Job) -> bool:
    """Whether ``job`` is a finished CSV run of a report type the tool knows a key for."""
    return (
        job.status == JobStatus.COMPLETE.value
        and bool(job.file_url)
        and diffable(job.report_type)
        and _is_csv(job)
    )


def earlier_runs(session: Session, judge: Judge, job: Job) -> list[Job]:
    """Finished earlier runs of the same report in the same context that the viewer may see,
    newest first (at most 20)."""
    if not comparable(job):
        return []
    query = (
        visible_jobs(judge.launch)
        .where(
            Job.id != job.id,
            Job.family == job.family,
            Job.report_type == job.report_type,
            Job.status == JobStatus.COMPLETE.value,
            Job.created_at <= job.created_at,
        )
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(_CANDIDATES * 3)
    )
    runs = [row for row in session.scalars(query) if _same_report(row, job) and comparable(row)]
    return judge.visible(runs)[:_CANDIDATES]


def previous_run(session: Session, judge: Judge, job: Job) -> Job | None:
    """The newest earlier comparable run, if any."""
    runs = earlier_runs(session, judge, job)
    return runs[0] if runs else None


def open_diff(
    session: Session, judge: Judge, new_id: int, old_id: int, now: datetime
) -> tuple[Job, Job, ReportDiff]:
    """The two jobs and their diff, ready to run (both downloads are open).

    Raises:
        NotFound: either job is not in this context or has no file; BadRequest: the two
        runs are the same, of different reports, or not comparable CSV files;
        CanvasDenied: Canvas refused the viewer either report.
    """
    if new_id == old_id:
        raise BadRequest(_("Choose two different runs to compare."))
    new = get_job(session, judge.launch, new_id)
    old = get_job(session, judge.launch, old_id)
    if not _same_report(new, old):
        raise BadRequest(
            _("Only two runs of the same report in the same place can be compared.")
        )
    for job in (new, old):
        if job.status != JobStatus.COMPLETE.value or not job.file_url:
            raise NotFound(_("Run #%(id)s has no file to compare.", id=job.id))
        if not diffable(job.report_type) or not _is_csv(job):
            raise BadRequest(
                _("This report's files cannot be compared: they are not one CSV table.")
            )
    judge.require_view(new, fresh=True)
    judge.require_view(old, fresh=True)
    client = judge.client()
    old_chunks = open_download(client, old.file_url or "")
    new_chunks = open_download(client, new.file_url or "")
    for job in (old, new):
        audit.record(
            session, judge.launch, audit.Action.DOWNLOAD, now, job=job,
            detail=f"compared #{old.id} with #{new.id}",
        )  # fmt: skip
    parts = partitions_for(old.file_size, new.file_size)
    return new, old, ReportDiff(new.report_type, old_chunks, new_chunks, partitions=parts)

