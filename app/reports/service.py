"""Starting report jobs (every family), and the account catalogue.

Every function takes its dependencies (``session``, ``client``, ``launch``, ``now``);
it flushes, the caller commits. Canvas's rules for starting (reports-api.md): account
reports have no duplicate check; classic quiz reports are reused and a 409 means "one is
being generated" (so we show that one); New Quizzes 409 the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasConflict, CanvasUnavailable
from app.canvas.payloads import AccountReport, QuizReport
from app.errors import BadRequest, NotFound
from app.models.job import Job, JobEvent
from app.models.launch import Launch
from app.reports import audit, observe
from app.reports.access import require_account_admin, require_course_staff
from app.reports.kinds import (
    COURSE_REPORT_TYPES,
    NEW_QUIZ_FORMATS,
    QUIZ_REPORT_TYPES,
    Family,
    ParamSpec,
    is_date_bounded,
    param_specs,
    piece_last_day,
    split_parameters,
    validate,
)
from app.reports.polling import DEFAULT_POLICY
from app.reports.refresh import refresh_job
from app.reports.status import LIVE, JobStatus, status_of


@dataclass(frozen=True)
class CatalogueEntry:
    """One account report type with its form fields and Canvas's last run."""

    report: str
    title: str
    params: list[ParamSpec]
    date_bounded: bool
    last_run_status: str | None
    last_run_id: int | None


@dataclass(frozen=True)
class Started:
    """The jobs a start request produced; ``reused`` when Canvas already had one."""

    jobs: list[Job]
    reused: bool = False


def _user_id(launch: Launch) -> int:
    if launch.canvas_user_id is None:
        raise BadRequest(_("This launch does not identify a Canvas user."))
    return launch.canvas_user_id


def _new_job(launch: Launch, family: Family, report_type: str, now: datetime, **fields: Any) -> Job:
    job = Job(
        platform_id=launch.platform_id,
        canvas_user_id=_user_id(launch),
        user_name=launch.user_name,
        family=family.value,
        report_type=report_type,
        status=JobStatus.QUEUED.value,
        percent=0.0,
        polls=0,
        retries=0,
        created_at=now,
        updated_at=now,
        started_at=now,
        progress_changed_at=now,
        events=[],
        **fields,
    )
    job.next_poll_at = DEFAULT_POLICY.next_poll_at(now, now)
    return job


def _created(session: Session, launch: Launch, job: Job, now: datetime, detail: str) -> None:
    session.add(job)
    session.flush()
    job.events.append(JobEvent(at=now, from_status=None, to_status=job.status, detail=detail))
    audit.record(session, launch, audit.Action.START, now, job=job, detail=detail)


# ---------------------------------------------------------------- account reports


def catalogue(client: CanvasClient, launch: Launch) -> list[CatalogueEntry]:
    """The account's report types (Canvas ``available_reports``), with form fields."""
    account_id = require_account_admin(launch)
    entries = []
    for item in client.list_available_reports(account_id):
        specs = param_specs(
            {name: meta.model_dump() for name, meta in (item.parameters or {}).items()}
        )
        entries.append(
            CatalogueEntry(
                report=item.report,
                title=item.title,
                params=specs,
                date_bounded=is_date_bounded(specs),
                last_run_status=item.last_run.status if item.last_run else None,
                last_run_id=item.last_run.id if item.last_run else None,
            )
        )
    return entries


def catalogue_entry(client: CanvasClient, launch: Launch, report_type: str) -> CatalogueEntry:
    """One catalogue entry.

    Raises:
        NotFound: the account does not offer ``report_type``.
    """
    return find_catalogue_entry(catalogue(client, launch), report_type)


def find_catalogue_entry(entries: Sequence[CatalogueEntry], report_type: str) -> CatalogueEntry:
    """The entry for ``report_type``.

    Raises:
        NotFound: none.
    """
    for entry in entries:
        if entry.report == report_type:
            return entry
    raise NotFound(_("This account does not offer the report %(name)s.", name=report_type))


# Keys Canvas adds to ``parameters`` once a report runs (reports-api.md 1.4).
_ADDED_PARAMETERS = frozenset({"locale", "extra_text"})
_RECONCILE_WINDOW = timedelta(minutes=2)


def _create_account_report(
    session: Session,
    client: CanvasClient,
    account_id: int,
    report_type: str,
    *,
    parameters: dict[str, Any],
    now: datetime,
) -> AccountReport:
    """POST a report; when the answer is lost (5xx/timeout), find it by listing.

    The client never retries a create (it might duplicate the report), so after
    ``CanvasUnavailable`` the newest untracked report of this type with the same
    parameters, created within the last two minutes, is taken as ours.

    Raises:
        CanvasUnavailable: Canvas did not create it (or it cannot be told apart).
    """
    try:
        return client.start_account_report(account_id, report_type, parameters)
    except CanvasUnavailable:
        tracked = set(
            session.scalars(
                select(Job.canvas_report_id).where(
                    Job.family == Family.ACCOUNT.value,
                    Job.canvas_account_id == account_id,
                    Job.report_type == report_type,
                )
            )
        )
        for report in client.list_account_reports(account_id, report_type):
            sent = {
                k: v for k, v in (report.parameters or {}).items() if k not in _ADDED_PARAMETERS
            }
            recent = report.created_at is not None and now - report.created_at <= _RECONCILE_WINDOW
            if report.id not in tracked and recent and sent == parameters:
                return report
        raise


def start_account_report(
    session: Session,
    client: CanvasClient,
    launch: Launch,
    *,
    report_type: str,
    form: Mapping[str, str],
    now: datetime,
) -> Started:
    """Start one report, or several two-week runs sharing a group key for long ranges.

    Raises:
        BadRequest: invalid parameters; CanvasError: Canvas refused.
    """
    account_id = require_account_admin(launch)
    entry = catalogue_entry(client, launch, report_type)
    parameters = validate(report_type, entry.params, form)
    runs = split_parameters(parameters) if entry.date_bounded else [parameters]
    group = uuid.uuid4().hex if len(runs) > 1 else None
    jobs = []
    for index, run in enumerate(runs, start=1):
        report = _create_account_report(
            session, client, account_id, report_type, parameters=run, now=now
        )
        title = entry.title
        if group is not None:
            first, last = run["start_at"][:10], piece_last_day(run["end_at"])
            title = f"{entry.title} ({first} - {last}, {index}/{len(runs)})"
        job = _new_job(
            launch,
            Family.ACCOUNT,
            report_type,
            now,
            title=title,
            parameters=run,
            canvas_account_id=account_id,
            canvas_report_id=report.id,
            group_key=group,
        )
        _created(session, launch, job, now, _("Started in Canvas"))
        observe.apply(job, observe.from_account_report(report), now, DEFAULT_POLICY)
        jobs.append(job)
    return Started(jobs)


# ---------------------------------------------------------------- course reports


def start_course_report(
    session: Session, client: CanvasClient, launch: Launch, report_type: str, now: datetime
) -> Started:
    """Start a course report (Canvas offers ``course_pace_docx`` only).

    Raises:
        NotFound: unknown type (nothing asked of Canvas); CanvasError: Canvas refused.
    """
    course_id = require_course_staff(launch)
    if report_type not in COURSE_REPORT_TYPES:
        raise NotFound(_("Unknown course report."))
    report = client.start_course_report(course_id, report_type, {})
    job = _new_job(
        launch,
        Family.COURSE,
        report_type,
        now,
        title=_("Course pacing (Word document)"),
        parameters={},
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        canvas_report_id=report.id,
    )
    _created(session, launch, job, now, _("Started in Canvas"))
    observe.apply(job, observe.from_course_report(report), now, DEFAULT_POLICY)
    return Started([job])


# ---------------------------------------------------------------- classic quizzes


def matching_quiz_report(
    reports: Sequence[QuizReport], report_type: str, all_versions: bool
) -> QuizReport | None:
    for report in reports:
        if report.report_type != report_type:
            continue
        # Canvas forces includes_all_versions on item analysis (reports-api.md 3.2).
        if report_type == "item_analysis" or report.includes_all_versions == all_versions:
            return report
    return None


def _tracked_quiz_job(session: Session, launch: Launch, quiz_id: int, report_id: int) -> Job | None:
    query = (
        select(Job)
        .where(
            Job.platform_id == launch.platform_id,
            Job.family == Family.QUIZ.value,
            Job.canvas_course_id == launch.canvas_course_id,
            Job.canvas_quiz_id == quiz_id,
            Job.canvas_report_id == report_id,
            Job.status.not_in([JobStatus.DELETED.value, JobStatus.ABORTED.value]),
        )
        .order_by(Job.id.desc())
    )
    return session.scalars(query).first()


def start_quiz_report(
    session: Session,
    client: CanvasClient,
    launch: Launch,
    *,
    quiz_id: int,
    report_type: str,
    all_versions: bool,
    now: datetime,
    quiz_title: str = "",
) -> Started:
    """Ask Canvas for a quiz report; a current one is reused, a 409 shows the running one.

    Raises:
        BadRequest: unknown type; CanvasError: Canvas refused otherwise.
    """
    course_id = require_course_staff(launch)
    if report_type not in QUIZ_REPORT_TYPES:
        raise BadRequest(_("Unknown quiz report."))
    all_versions = all_versions or report_type == "item_analysis"
    reused = False
    try:
        report = client.create_quiz_report(
            course_id, quiz_id, report_type, includes_all_versions=all_versions
        )
    except CanvasConflict:
        found = matching_quiz_report(
            client.list_quiz_reports(course_id, quiz_id), report_type, all_versions
        )
        if found is None:
            raise
        report, reused = found, True
    existing = _tracked_quiz_job(session, launch, quiz_id, report.id)
    if existing is not None and status_of(existing) is not JobStatus.FAILED:
        refresh_job(session, client, existing, now)
        return Started([existing], reused=True)
    readable = {"student_analysis": _("Student Analysis"), "item_analysis": _("Item Analysis")}
    title = f"{quiz_title} - {readable[report_type]}" if quiz_title else readable[report_type]
    if all_versions and report_type == "student_analysis":
        title += " " + _("(all attempts)")
    job = _new_job(
        launch,
        Family.QUIZ,
        report_type,
        now,
        title=title,
        parameters={"includes_all_versions": all_versions},
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        canvas_quiz_id=quiz_id,
        canvas_report_id=report.id,
    )
    _created(session, launch, job, now, _("Reused in Canvas") if reused else _("Started in Canvas"))
    refresh_job(session, client, job, now)
    return Started([job], reused=reused or job.status == JobStatus.COMPLETE.value)


# ---------------------------------------------------------------- New Quizzes


def _tracked_new_quiz_job(
    session: Session, launch: Launch, assignment_id: int, report_type: str
) -> Job | None:
    query = (
        select(Job)
        .where(
            Job.platform_id == launch.platform_id,
            Job.family == Family.NEW_QUIZ.value,
            Job.canvas_course_id == launch.canvas_course_id,
            Job.canvas_assignment_id == assignment_id,
            Job.report_type == report_type,
            Job.status.in_([s.value for s in (*LIVE, JobStatus.STALE)]),
        )
        .order_by(Job.id.desc())
    )
    return session.scalars(query).first()


def start_new_quiz_report(
    session: Session,
    client: CanvasClient,
    launch: Launch,
    *,
    assignment_id: int,
    report_type: str,
    fmt: str,
    now: datetime,
    quiz_title: str = "",
) -> Started:
    """Ask New Quizzes for a report; a 409 shows the one being generated.

    Raises:
        BadRequest: unknown type/format; CanvasConflict: Canvas is generating one we
        do not track; CanvasError: Canvas refused otherwise.
    """
    course_id = require_course_staff(launch)
    if report_type not in QUIZ_REPORT_TYPES or fmt not in NEW_QUIZ_FORMATS:
        raise BadRequest(_("Unknown New Quizzes report or format."))
    try:
        progress = client.create_new_quiz_report(course_id, assignment_id, report_type, fmt)
    except CanvasConflict as exc:
        running = _tracked_new_quiz_job(session, launch, assignment_id, report_type)
        if running is None:
            raise CanvasConflict(
                _("Canvas is already generating this report; try again in a few minutes.")
            ) from exc
        return Started([running], reused=True)
    readable = {"student_analysis": _("Student Analysis"), "item_analysis": _("Item Analysis")}
    base = f"{quiz_title} - {readable[report_type]}" if quiz_title else readable[report_type]
    job = _new_job(
        launch,
        Family.NEW_QUIZ,
        report_type,
        now,
        title=f"{base} ({fmt.upper()})",
        parameters={"format": fmt},
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        canvas_assignment_id=assignment_id,
        canvas_progress_id=progress.id,
    )
    _created(session, launch, job, now, _("Started in Canvas"))
    observe.apply(job, observe.from_progress(progress, None), now, DEFAULT_POLICY)
    return Started([job])
