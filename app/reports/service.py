"""Starting report jobs (every family); the account catalogue is in ``catalogue.py``.

A start request never waits for Canvas: it validates the input, records a ``starting`` job
(``pending.py``: start keys, the window, one row per identical start) and returns; the
worker makes the create call (``families/run.py``). Every function flushes; the caller
commits.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import BadRequest, NotFound
from app.models.job import Job
from app.models.launch import Launch
from app.reports.access import require_account_admin, require_course_staff
from app.reports.catalogue import CatalogueEntry, catalogue, catalogue_entry, find_catalogue_entry
from app.reports.families.quiz import matching_quiz_report
from app.reports.kinds import (
    COURSE_REPORT_TYPES,
    NEW_QUIZ_FORMATS,
    QUIZ_REPORT_TYPES,
    Family,
    piece_last_day,
    split_parameters,
    validate,
)
from app.reports.pending import START_WINDOW, Started, new_job, record, start_key
from app.reports.status import TRACKING

# The catalogue lives in catalogue.py; its names stay importable from here.
__all__ = [
    "START_WINDOW",
    "CatalogueEntry",
    "Started",
    "catalogue",
    "catalogue_entry",
    "find_catalogue_entry",
    "matching_quiz_report",
    "start_key",
]

_TRACKING_VALUES = [status.value for status in TRACKING]


def start_account_report(
    session: Session,
    launch: Launch,
    *,
    entry: CatalogueEntry,
    form: Mapping[str, str],
    now: datetime,
) -> Started:
    """Record one report, or several two-week runs sharing a group key for long ranges.

    ``entry`` comes from the catalogue the user's overview showed (cached), so an unknown
    type never reaches Canvas.

    Raises:
        BadRequest: invalid parameters (nothing recorded).
    """
    account_id = require_account_admin(launch)
    parameters = validate(entry.report, entry.params, form)
    runs = split_parameters(parameters) if entry.date_bounded else [parameters]
    group = uuid.uuid4().hex if len(runs) > 1 else None
    base = start_key(launch, Family.ACCOUNT, entry.report, [account_id], parameters)
    jobs = []
    for index, run in enumerate(runs, start=1):
        title = entry.title
        if group is not None:
            first, last = run["start_at"][:10], piece_last_day(run["end_at"])
            title = f"{entry.title} ({first} - {last}, {index}/{len(runs)})"
        key = base if index == 1 else hashlib.sha256(f"{base}:{index}".encode()).hexdigest()
        jobs.append(
            new_job(
                launch,
                Family.ACCOUNT,
                entry.report,
                now,
                title=title,
                parameters=run,
                canvas_account_id=account_id,
                group_key=group,
                start_key=key,
            )
        )
    return record(session, launch, jobs, now)


# ---------------------------------------------------------------- course reports


def start_course_report(
    session: Session, launch: Launch, report_type: str, now: datetime
) -> Started:
    """Record a course report start (Canvas offers ``course_pace_docx`` only).

    Raises:
        NotFound: unknown type (nothing recorded).
    """
    course_id = require_course_staff(launch)
    if report_type not in COURSE_REPORT_TYPES:
        raise NotFound(_("Unknown course report."))
    job = new_job(
        launch,
        Family.COURSE,
        report_type,
        now,
        title=_("Course pacing (Word document)"),
        parameters={},
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        start_key=start_key(launch, Family.COURSE, report_type, [course_id], {}),
    )
    return record(session, launch, [job], now)


# ---------------------------------------------------------------- quizzes


def _following(session: Session, launch: Launch, **where: Any) -> Job | None:
    """A job of this course (anyone's) that already starts or follows the same Canvas report:
    Canvas keeps one per quiz and type, so a second start would only meet it again."""
    query = select(Job).where(
        Job.platform_id == launch.platform_id,
        Job.canvas_course_id == launch.canvas_course_id,
        Job.status.in_(_TRACKING_VALUES),
        *[getattr(Job, name) == value for name, value in where.items()],
    )
    return session.scalars(query.order_by(Job.id.desc())).first()


def _readable(report_type: str) -> str:
    text: str = _("Student Analysis") if report_type == "student_analysis" else _("Item Analysis")
    return text


def start_quiz_report(
    session: Session,
    launch: Launch,
    *,
    quiz_id: int,
    report_type: str,
    all_versions: bool,
    now: datetime,
    quiz_title: str = "",
) -> Started:
    """Record a classic quiz report start; a job already following that report answers.

    Raises:
        BadRequest: unknown type (nothing recorded).
    """
    course_id = require_course_staff(launch)
    if report_type not in QUIZ_REPORT_TYPES:
        raise BadRequest(_("Unknown quiz report."))
    all_versions = all_versions or report_type == "item_analysis"
    parameters = {"includes_all_versions": all_versions}
    running = _following(
        session,
        launch,
        family=Family.QUIZ.value,
        canvas_quiz_id=quiz_id,
        report_type=report_type,
    )
    if running is not None and bool(running.parameters.get("includes_all_versions")) == (
        all_versions
    ):
        return Started([running], reused=True)
    readable = _readable(report_type)
    title = f"{quiz_title} - {readable}" if quiz_title else readable
    if all_versions and report_type == "student_analysis":
        title += " " + _("(all attempts)")
    job = new_job(
        launch,
        Family.QUIZ,
        report_type,
        now,
        title=title,
        parameters=parameters,
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        canvas_quiz_id=quiz_id,
        start_key=start_key(launch, Family.QUIZ, report_type, [course_id, quiz_id], parameters),
    )
    return record(session, launch, [job], now)


def start_new_quiz_report(
    session: Session,
    launch: Launch,
    *,
    assignment_id: int,
    report_type: str,
    fmt: str,
    now: datetime,
    quiz_title: str = "",
) -> Started:
    """Record a New Quizzes report start; a job already generating that type answers
    (Canvas would 409: one report per type at a time).

    Raises:
        BadRequest: unknown type/format (nothing recorded).
    """
    course_id = require_course_staff(launch)
    if report_type not in QUIZ_REPORT_TYPES or fmt not in NEW_QUIZ_FORMATS:
        raise BadRequest(_("Unknown New Quizzes report or format."))
    running = _following(
        session,
        launch,
        family=Family.NEW_QUIZ.value,
        canvas_assignment_id=assignment_id,
        report_type=report_type,
    )
    if running is not None:
        return Started([running], reused=True)
    readable = _readable(report_type)
    base = f"{quiz_title} - {readable}" if quiz_title else readable
    parameters = {"format": fmt}
    job = new_job(
        launch,
        Family.NEW_QUIZ,
        report_type,
        now,
        title=f"{base} ({fmt.upper()})",
        parameters=parameters,
        canvas_course_id=course_id,
        canvas_account_id=launch.canvas_account_id,
        canvas_assignment_id=assignment_id,
        start_key=start_key(
            launch, Family.NEW_QUIZ, report_type, [course_id, assignment_id], parameters
        ),
    )
    return record(session, launch, [job], now)
