"""What a user may do to a job, by Canvas's rules per family: abort, delete, retry.

Account reports abort only while Canvas says ``running`` (else 404) and delete softly;
a classic quiz report's DELETE aborts a queued generation or removes a generated or failed
one (204) but is refused while running (422); a New Quizzes Progress can be cancelled by
its owner only; course reports have neither, so "delete" only leaves this tool's list.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound, CanvasUnprocessable
from app.errors import IllegalTransition
from app.models.job import Job
from app.models.launch import Launch
from app.reports import audit, observe
from app.reports.access import get_job
from app.reports.kinds import Family
from app.reports.polling import DEFAULT_POLICY
from app.reports.refresh import refresh_job
from app.reports.status import FINISHED, LIVE, JobStatus, move, status_of


def can_abort(job: Job) -> bool:
    """Whether Canvas's rules allow an abort right now (as far as the last poll knows)."""
    family = Family(job.family)
    status = status_of(job)
    if family is Family.ACCOUNT:
        return job.canvas_state == "running"
    if family is Family.QUIZ:
        # Canvas aborts a queued generation only (DELETE → 422 while running); a failed
        # one is removed with "delete" (also a DELETE → 204).
        return status in LIVE and job.canvas_state == "queued"
    if family is Family.NEW_QUIZ:
        return status in {*LIVE, JobStatus.STALE}
    return False


def can_delete(job: Job) -> bool:
    return status_of(job) is not JobStatus.DELETED and (
        status_of(job) in FINISHED or status_of(job) is JobStatus.STALE
    )


def can_retry(job: Job) -> bool:
    return status_of(job) in {JobStatus.STALE, JobStatus.FAILED, JobStatus.ABORTED}


def abort_job(
    session: Session, client: CanvasClient, launch: Launch, job_id: int, now: datetime
) -> Job:
    """Abort a running report the way its family allows.

    Raises:
        NotFound: not visible; IllegalTransition: Canvas does not allow it now.
    """
    job = get_job(session, launch, job_id)
    family = Family(job.family)
    refresh_job(session, client, job, now)
    if not can_abort(job):
        raise IllegalTransition(_("Canvas does not allow aborting this report now."))
    try:
        if family is Family.ACCOUNT:
            report = client.abort_account_report(
                observe.require_id(job.canvas_account_id, "account"),
                job.report_type,
                observe.require_id(job.canvas_report_id, "report"),
            )
            observe.apply(job, observe.from_account_report(report), now, DEFAULT_POLICY)
        elif family is Family.QUIZ:
            client.abort_quiz_report(
                observe.require_id(job.canvas_course_id, "course"),
                observe.require_id(job.canvas_quiz_id, "quiz"),
                observe.require_id(job.canvas_report_id, "report"),
            )
            move(
                job, JobStatus.ABORTED, now, detail=_("Aborted by %(name)s", name=launch.user_name)
            )
        else:
            client.cancel_progress(
                observe.require_id(job.canvas_progress_id, "progress"),
                message=_("Canceled by %(name)s", name=launch.user_name),
            )
            move(
                job, JobStatus.ABORTED, now, detail=_("Canceled by %(name)s", name=launch.user_name)
            )
    except (CanvasNotFound, CanvasUnprocessable) as exc:
        # Canvas's state moved on since our last poll (finished, or now running).
        refresh_job(session, client, job, now)
        raise IllegalTransition(_("Canvas does not allow aborting this report now.")) from exc
    audit.record(session, launch, audit.Action.ABORT, now, job=job)
    session.flush()
    return job


def delete_job(
    session: Session, client: CanvasClient, launch: Launch, job_id: int, now: datetime
) -> Job:
    """Delete a finished report: in Canvas where it can (account, quiz), else from our list.

    Raises:
        NotFound: not visible; IllegalTransition: still running.
    """
    job = get_job(session, launch, job_id)
    if not can_delete(job):
        raise IllegalTransition(_("Only finished reports can be deleted."))
    family = Family(job.family)
    detail = _("Deleted by %(name)s", name=launch.user_name)
    try:
        if job.canvas_report_id is None and job.canvas_progress_id is None:
            pass  # Canvas never made it (the start was refused): only this tool has it
        elif family is Family.ACCOUNT:
            client.delete_account_report(
                observe.require_id(job.canvas_account_id, "account"),
                job.report_type,
                observe.require_id(job.canvas_report_id, "report"),
            )
        elif family is Family.QUIZ and status_of(job) is not JobStatus.ABORTED:
            detail += _delete_quiz_report(client, job)
        else:
            detail += " " + _("(removed from this tool; Canvas has no delete for it)")
    except CanvasNotFound:
        detail += " " + _("(already gone in Canvas)")
    except CanvasUnprocessable as exc:
        raise IllegalTransition(_("Canvas refused to remove this report now.")) from exc
    move(job, JobStatus.DELETED, now, detail=detail)
    audit.record(session, launch, audit.Action.DELETE, now, job=job)
    session.flush()
    return job


def _delete_quiz_report(client: CanvasClient, job: Job) -> str:
    """Canvas's quiz report DELETE: removes a generated file or a failed generation (204).

    A generation stuck at ``running`` cannot be removed (422); a stale job then leaves
    only this tool's list.

    Raises:
        CanvasUnprocessable: Canvas refused and the job is not stale.
    """
    try:
        client.abort_quiz_report(
            observe.require_id(job.canvas_course_id, "course"),
            observe.require_id(job.canvas_quiz_id, "quiz"),
            observe.require_id(job.canvas_report_id, "report"),
        )
    except CanvasUnprocessable:
        if status_of(job) is not JobStatus.STALE:
            raise
        return " " + str(_("(still generating in Canvas; removed from this tool)"))
    return ""


def retry_job(
    session: Session, client: CanvasClient, launch: Launch, job_id: int, now: datetime
) -> Job:
    """Run a stale, failed or aborted job again in Canvas, on the same row.

    Like a start, the request only records it: the job becomes ``starting`` and the worker
    goes through the family's one create path (``families.create``). A stale job keeps its
    stuck Canvas ids until the worker has aborted or deleted that run where Canvas allows
    (``ReportFamily.abandon``), so the retry never re-attaches to it; a failed or aborted
    run has nothing left to stop. ``client`` is unused: a retry asks Canvas nothing here.

    Raises:
        NotFound: not visible; IllegalTransition: not retryable.
    """
    del client
    job = get_job(session, launch, job_id)
    if not can_retry(job):
        raise IllegalTransition(_("Only stale, failed or aborted reports can be retried."))
    if status_of(job) is not JobStatus.STALE:
        job.canvas_report_id = None
        job.canvas_progress_id = None
    job.retries += 1
    job.polls = 0
    job.error = None
    job.percent = 0.0
    job.current_line = None
    job.file_id = job.file_name = job.file_size = job.file_content_type = job.file_url = None
    job.started_at = now
    job.progress_changed_at = now
    move(job, JobStatus.STARTING, now, detail=_("Retried by %(name)s", name=launch.user_name))
    job.next_poll_at = now
    audit.record(session, launch, audit.Action.RETRY, now, job=job)
    session.flush()
    return job
