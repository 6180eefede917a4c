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
from app.canvas.errors import (
    CanvasConflict,
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasUnprocessable,
)
from app.errors import IllegalTransition
from app.models.job import Job
from app.models.launch import Launch
from app.reports import audit, observe
from app.reports.access import get_job
from app.reports.kinds import Family
from app.reports.polling import DEFAULT_POLICY
from app.reports.refresh import refresh_job
from app.reports.service import matching_quiz_report
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
        if family is Family.ACCOUNT:
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


def _cancel_stuck_progress(client: CanvasClient, job: Job) -> None:
    """Free Canvas's "one report per type" slot held by a Progress stuck at ``running``.

    Only the Progress's owner may cancel it (reports-api.md 5); anyone else's retry
    simply meets the 409 and keeps watching.
    """
    if status_of(job) is not JobStatus.STALE or job.canvas_progress_id is None:
        return
    try:
        client.cancel_progress(job.canvas_progress_id, message=_("Stalled; retried from the tool"))
    except (CanvasNotFound, CanvasNotPermitted):
        return


def _finished_meanwhile(client: CanvasClient, job: Job, now: datetime) -> bool:
    """A stale account/course job whose report Canvas has since completed takes that file.

    A job goes stale when nobody could poll it (e.g. the user's authorization lapsed)
    as well as when Canvas stalls; running the report again would duplicate finished work.
    """
    if Family(job.family) not in {Family.ACCOUNT, Family.COURSE}:
        return False
    try:
        seen = observe.fetch(client, job)
    except CanvasError:
        return False
    if seen.status is not JobStatus.COMPLETE:
        return False
    observe.apply(job, seen, now, DEFAULT_POLICY)
    return True


def retry_job(
    session: Session, client: CanvasClient, launch: Launch, job_id: int, now: datetime
) -> Job:
    """Run a stale, failed or aborted job again in Canvas, on the same row.

    A New Quizzes 409 means Canvas is still generating: we keep that Progress and
    watch it afresh.

    Raises:
        NotFound: not visible; IllegalTransition: not retryable.
    """
    job = get_job(session, launch, job_id)
    if not can_retry(job):
        raise IllegalTransition(_("Only stale, failed or aborted reports can be retried."))
    family = Family(job.family)
    detail = _("Retried by %(name)s", name=launch.user_name)
    if status_of(job) is JobStatus.STALE and _finished_meanwhile(client, job, now):
        audit.record(session, launch, audit.Action.RETRY, now, job=job)
        return job
    if family is Family.ACCOUNT:
        report = client.start_account_report(
            observe.require_id(job.canvas_account_id, "account"),
            job.report_type,
            dict(job.parameters),
        )
        job.canvas_report_id = report.id
    elif family is Family.COURSE:
        course_report = client.start_course_report(
            observe.require_id(job.canvas_course_id, "course"), job.report_type, {}
        )
        job.canvas_report_id = course_report.id
    elif family is Family.QUIZ:
        course_id = observe.require_id(job.canvas_course_id, "course")
        quiz_id = observe.require_id(job.canvas_quiz_id, "quiz")
        all_versions = bool(job.parameters.get("includes_all_versions"))
        try:
            quiz_report = client.create_quiz_report(
                course_id, quiz_id, job.report_type, includes_all_versions=all_versions
            )
        except CanvasConflict:
            found = matching_quiz_report(
                client.list_quiz_reports(course_id, quiz_id), job.report_type, all_versions
            )
            if found is None:
                raise
            quiz_report = found
        job.canvas_report_id = quiz_report.id
    else:
        _cancel_stuck_progress(client, job)
        try:
            progress = client.create_new_quiz_report(
                observe.require_id(job.canvas_course_id, "course"),
                observe.require_id(job.canvas_assignment_id, "assignment"),
                job.report_type,
                str(job.parameters.get("format", "csv")),
            )
            job.canvas_progress_id = progress.id
        except CanvasConflict:
            detail += " " + _("(Canvas is still generating it; watching again)")
    job.retries += 1
    job.error = None
    job.percent = 0.0
    job.current_line = None
    job.started_at = now
    job.progress_changed_at = now
    move(job, JobStatus.QUEUED, now, detail=detail)
    job.next_poll_at = DEFAULT_POLICY.next_poll_at(now, now)
    audit.record(session, launch, audit.Action.RETRY, now, job=job)
    refresh_job(session, client, job, now)
    return job
