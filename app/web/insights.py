"""Blueprint: quiz insights for a completed quiz report job (``/insights/jobs/<id>``).

The view streams the job's file through the reports feature (which checks the launch may see
the job), parses and analyses it with the pure ``app.insights`` package, and renders tables
and charts. Nothing is stored: the report is read again on every visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import gettext as _

from app.db import request_session
from app.errors import BadRequest, NotFound
from app.extensions import current_now
from app.insights.analysis import QuizInsights, analyse
from app.insights.charts import quiz_charts, reported_charts
from app.insights.export import export_filename, items_csv, reported_items_csv
from app.insights.flags import MESSAGES, Flag, Thresholds
from app.insights.groups import DEFAULT_SPLIT
from app.insights.parse import ParsedReport, parse_report
from app.insights.reported import ReportedItemAnalysis, ReportedOption, reported_flags
from app.insights.table import AttemptPolicy, ResponseTable
from app.lti.claims import CONTEXT
from app.models.launch import Launch
from app.reports import files
from app.reports.access import get_job
from app.reports.kinds import Family
from app.web.auth import launch_required
from app.web.reports import content_disposition, current_judge

bp = Blueprint("insights", __name__)

_QUIZ_FAMILIES = (Family.QUIZ.value, Family.NEW_QUIZ.value)
#: Shares of attempts in the top and in the bottom group a person may pick (Canvas: 27 %).
SPLIT_CHOICES = (0.25, DEFAULT_SPLIT, 1 / 3, 0.5)


@dataclass(frozen=True)
class Loaded:
    job_id: int
    title: str
    report: ParsedReport
    #: For export names: the course's code (or name) and the quiz's title, when known.
    course: str = ""
    quiz: str = ""


def _load(job_id: int) -> Loaded:
    """Check the job is a quiz report this launch may see, then stream and parse its file.

    Raises:
        NotFound: not visible, not a quiz report, or no file yet; ParseError: unreadable.
    """
    session, judge = request_session(), current_judge()
    job = get_job(session, judge.launch, job_id)
    if job.family not in _QUIZ_FAMILIES:
        raise NotFound(_("Insights are available for quiz reports only."))
    opened = files.open_job_file(session, judge, job_id, current_now())
    try:
        report = parse_report(opened.chunks)
    finally:
        close = getattr(opened.chunks, "close", None)
        if close is not None:
            close()
    session.commit()  # the download audit event
    return Loaded(
        job_id,
        job.title or opened.name,
        report,
        course=_course_label(judge.launch, job.canvas_course_id),
        quiz=_quiz_title(job.title),
    )


def _course_label(launch: Launch, course_id: int | None) -> str:
    """The course code from the launch's LTI context (``BIO101``) when the job is that course's."""
    if course_id is None:
        return ""
    if launch.canvas_course_id == course_id:
        context = launch.claims.get(CONTEXT)
        if isinstance(context, dict):
            label = context.get("label") or context.get("title")
            if isinstance(label, str) and label.strip():
                return label.strip()
        if launch.context_title:
            return launch.context_title
    fallback: str = _("Course %(id)s", id=course_id)
    return fallback


def _quiz_title(job_title: str) -> str:
    """Quiz jobs are titled ``"<quiz title> - <report name>[ (…)]"`` (reports/service.py)."""
    quiz, separator, _report = job_title.rpartition(" - ")
    return quiz if separator else ""


def _policy(table: ResponseTable) -> AttemptPolicy:
    raw = request.args.get("policy")
    if not raw:
        return table.default_policy()
    try:
        return AttemptPolicy(raw)
    except ValueError:
        raise BadRequest(_("Unknown attempt policy.")) from None


def _split() -> float:
    raw = request.args.get("split")
    if not raw:
        return DEFAULT_SPLIT
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(_("Unknown group size.")) from None
    for choice in SPLIT_CHOICES:
        if abs(choice - value) < 1e-9:
            return choice
    raise BadRequest(_("Unknown group size."))


def option_name(option: ReportedOption) -> str:
    """An answer's label: its text, or Canvas's column name in the user's language."""
    if option.has_text:
        return option.label
    name: str = (
        _("Correct answer") if option.number == 1 else _("Distractor %(n)s", n=option.number)
    )
    return name


def policy_phrase(policy: AttemptPolicy) -> str:
    """Which attempts were analysed, for notes and export names ("latest attempts")."""
    phrases: dict[AttemptPolicy, str] = {
        AttemptPolicy.FIRST: _("first attempts"),
        AttemptPolicy.LAST: _("latest attempts"),
        AttemptPolicy.ALL: _("all attempts"),
        AttemptPolicy.AS_REPORTED: _("attempts as reported"),
    }
    return phrases[policy]


def _analyse(table: ResponseTable) -> QuizInsights:
    """Analyse with the attempt policy, section and group split the query string asks for."""
    section = request.args.get("section") or None
    return analyse(table, _policy(table), section=section, split=_split())


@bp.get("/insights/jobs/<int:job_id>")
@launch_required
def job(job_id: int) -> ResponseReturnValue:
    loaded = _load(job_id)
    if isinstance(loaded.report, ResponseTable):
        insights = _analyse(loaded.report)
        return render_template(
            "insights/job.html",
            loaded=loaded,
            insights=insights,
            charts=quiz_charts(insights),
            split_choices=SPLIT_CHOICES,
            policy_phrase=policy_phrase(insights.policy),
        )
    thresholds = Thresholds()
    return render_template(
        "insights/reported.html",
        loaded=loaded,
        analysis=loaded.report,
        flags=[reported_flags(item, thresholds) for item in loaded.report.items],
        thresholds=thresholds,
        charts=reported_charts(loaded.report, thresholds, option_name),
    )


@bp.get("/insights/jobs/<int:job_id>/items.csv")
@launch_required
def items(job_id: int) -> ResponseReturnValue:
    loaded = _load(job_id)
    lines: Iterator[str]
    if isinstance(loaded.report, ReportedItemAnalysis):
        lines = reported_items_csv(loaded.report)
        kind = (
            _("item analysis by Canvas")
            if loaded.report.source == "classic"
            else _("item analysis by New Quizzes")
        )
    else:
        insights = _analyse(loaded.report)
        lines = items_csv(insights)
        kind = _("item analysis (%(attempts)s)", attempts=policy_phrase(insights.policy))
        section = dict(insights.sections).get(insights.section or "")
        if section:
            kind += " - " + section
    response = Response(lines, mimetype="text/csv")
    name = export_filename(
        [loaded.course, loaded.quiz or loaded.title, kind], current_now().date().isoformat()
    )
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("stat")
def format_stat(value: float | None, digits: int = 2) -> str:
    """A statistic for display: fixed digits, an en dash when not computable."""
    return "\u2013" if value is None else f"{value:.{digits}f}"


@bp.app_template_filter("flag_message")
def flag_message(flag: Flag) -> str:
    """A flag's message in the user's language (the English text is the msgid)."""
    message: str = gettext(MESSAGES[flag.code], **flag.values)
    return message


@bp.app_template_filter("percent")
def format_percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.0%}"
