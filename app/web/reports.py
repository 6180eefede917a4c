"""Blueprint: report pages under ``/reports/...`` and the live-progress JSON under ``/api/jobs``.

Views parse input, call one service, commit, schedule the worker, render. The JSON
endpoints read the database only: any number of viewers costs Canvas nothing.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.canvas.errors import CanvasNotPermitted
from app.canvas.factory import CanvasClient, canvas_client_for_launch
from app.db import request_session
from app.errors import BadRequest, IllegalTransition
from app.extensions import current_now
from app.i18n import translate_known
from app.models.job import Job
from app.models.launch import Launch
from app.reports import (
    actions,
    canvas_cache,
    files,
    labels,
    overview,
    quiz_resolution,
    rights,
    service,
    worker,
)
from app.reports.access import get_job, visible_jobs
from app.reports.kinds import Family, FormErrors
from app.reports.status import FINISHED, LABELS, JobStatus
from app.web import inputs, quiz_picker
from app.web.auth import current_launch, current_token, launch_required, launch_url
from app.web.report_display import elapsed_seconds, elapsed_text, job_phase, notice_text

bp = Blueprint("reports", __name__)

# A start request checks the report type against the user's cached catalogue; on a miss it
# asks Canvas once and waits at most this long (the start itself runs in the worker).
START_CHECK_SECONDS = 0.2

P = ParamSpec("P")
R = TypeVar("R")

_ACTIONS: dict[str, Callable[..., Job]] = {
    "abort": actions.abort_job,
    "delete": actions.delete_job,
    "retry": actions.retry_job,
}


@bp.record_once
def _start_worker(state: BlueprintSetupState) -> None:
    app = state.app
    if isinstance(app, Flask):
        worker.init_app(app)
        canvas_cache.init_app(app)
        rights.init_app(app)
        app.cli.add_command(worker.worker_command)
        _register_globals(app)


def _client(launch: Launch | None = None) -> CanvasClient:
    return canvas_client_for_launch(request_session(), launch or current_launch())


def current_judge() -> rights.Judge:
    """This request's judge of what Canvas lets the viewer see (one per request)."""
    judge: rights.Judge | None = g.get("rights_judge")
    if judge is None:
        launch = current_launch()
        judge = rights.Judge(
            request_session(),
            launch,
            lambda: _client(launch),
            rights.current_rights_cache(),
            current_now(),
        )
        g.rights_judge = judge
    return judge


def _changes_canvas(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator for views that start, abort, delete or retry a report: afterwards (also
    after a failure, which may have reached Canvas) the user's cached Canvas answers for
    the launch's context are dropped, so their next overview asks Canvas again.

    The launch's ids are read before the view runs: afterwards its session may be
    committed (expired rows) or failed, and dropping entries must not touch the database.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        launch = current_launch()
        platform_id, user_id = launch.platform_id, launch.canvas_user_id
        contexts: list[tuple[canvas_cache.ContextKind, int | None]] = [
            ("account", launch.canvas_account_id),
            ("course", launch.canvas_course_id),
        ]
        try:
            return view(*args, **kwargs)
        finally:
            if user_id is not None:
                cache = canvas_cache.current_cache()
                for kind, context_id in contexts:
                    if context_id is not None:
                        cache.invalidate(platform_id, user_id, kind, context_id)

    return wrapper


def _committed(jobs: Iterable[Job]) -> list[Job]:
    """Commit, then schedule the worker (tasks only see committed rows)."""
    request_session().commit()
    rows = list(jobs)
    worker.schedule_polls(current_app._get_current_object(), rows)  # type: ignore[attr-defined]
    return rows


def _back(default: str, target: str | None, notice: str = "") -> ResponseReturnValue:
    """Redirect to ``target`` (a ``next`` already checked by ``inputs.return_target``, before
    anything changed), else ``default``; with the request's verified launch token (and
    ``notice=...`` for the target page when given)."""
    if target is None:
        return redirect(default, 303)
    separator = "&" if "?" in target else "?"
    extra = f"&notice={notice}" if notice else ""
    return redirect(f"{target}{separator}lt={quote(current_token(), safe='')}{extra}", 303)


# ---------------------------------------------------------------- account navigation


@bp.get("/reports/account")
@launch_required
def account() -> ResponseReturnValue:
    judge = current_judge()
    data = overview.account_overview(
        request_session(), judge.client(), judge, canvas_cache.current_cache()
    )
    return render_template("reports/account.html", data=data)


@bp.get("/reports/account/<report_type>")
@launch_required
def account_report(report_type: str) -> ResponseReturnValue:
    return _account_report_form(report_type)


def _account_report_form(
    report_type: str, values: dict[str, str] | None = None, errors: FormErrors | None = None
) -> ResponseReturnValue:
    """The form (with the user's ``values`` and per-field ``errors`` after a refused start)
    and the history of one account report type."""
    page = overview.account_report_page(
        request_session(), _client(), current_launch(), report_type, canvas_cache.current_cache()
    )
    html = render_template(
        "reports/account_report.html",
        page=page,
        values=values or {},
        errors=errors.errors if errors is not None else {},
    )
    return html, (errors.status if errors is not None else 200)


def _form_values() -> dict[str, str]:
    """The submitted fields, repeated ones (checkbox groups) joined with commas."""
    return {name: ",".join(v for v in values if v) for name, values in request.form.lists()}


@bp.post("/reports/account/<report_type>")
@launch_required
def start_account_report(report_type: str) -> ResponseReturnValue:
    launch = current_launch()
    client = _client(launch)
    form = _form_values()
    # The catalogue the overview showed (cached); on a miss, one Canvas call under a short
    # budget, so the request answers quickly whatever Canvas does.
    with client.budget(START_CHECK_SECONDS):
        entry = overview.cached_catalogue_entry(
            client, launch, canvas_cache.current_cache(), report_type
        )
    try:
        started = service.start_account_report(
            request_session(), launch, entry=entry, form=form, now=current_now()
        )
    except FormErrors as errors:
        # Refused before anything reached Canvas: the same form, every value kept.
        request_session().rollback()
        if _wants_json():
            return jsonify(error=errors.code, message=errors.message, fields=errors.errors), 400
        return _account_report_form(report_type, form, errors)
    return _started(started, launch_url("reports.account_report", report_type=report_type))


@bp.get("/reports/account/<report_type>/<int:report_id>/file")
@launch_required
def canvas_account_file(report_type: str, report_id: int) -> ResponseReturnValue:
    client, launch = _client(), current_launch()
    # A type the account's catalogue does not offer is a 404 before any Canvas call with it;
    # a viewer Canvas refuses the catalogue (no read_reports) is refused, audited, here.
    try:
        overview.cached_catalogue_entry(client, launch, canvas_cache.current_cache(), report_type)
    except CanvasNotPermitted:
        rights.refuse(
            request_session(), launch, current_now(), detail=f"{report_type[:128]} #{report_id}"
        )
    opened = files.open_account_report_file(
        request_session(),
        client,
        launch,
        report_type=report_type,
        report_id=report_id,
        now=current_now(),
    )
    request_session().commit()
    return _stream(opened)


# ---------------------------------------------------------------- course navigation


@bp.get("/reports/course")
@launch_required
def course() -> ResponseReturnValue:
    judge = current_judge()
    data = overview.course_overview(
        request_session(), judge.client(), judge, canvas_cache.current_cache()
    )
    return render_template("reports/course.html", data=data)


@bp.post("/reports/course/<report_type>")
@launch_required
def start_course_report(report_type: str) -> ResponseReturnValue:
    started = service.start_course_report(
        request_session(), current_launch(), report_type, current_now()
    )
    return _started(started, launch_url("reports.course"))


# ---------------------------------------------------------------- quizzes


@bp.get("/reports/quiz/<int:quiz_id>")
@launch_required
def quiz(quiz_id: int) -> ResponseReturnValue:
    """A classic quiz's reports; an id that is no quiz of the course shows the picker (404)."""
    judge = current_judge()
    quizzes = quiz_picker.course_quizzes(judge.launch)
    if quiz_resolution.resolve(quizzes, quiz_id=quiz_id, assignment_id=None).choice is None:
        return quiz_picker.render_picker(quizzes, notice=quiz_resolution.UNKNOWN_QUIZ, status=404)
    page = overview.quiz_page(
        request_session(), judge.client(), judge, quiz_id, canvas_cache.current_cache()
    )
    return render_template("reports/quiz.html", page=page)


@bp.post("/reports/quiz/<int:quiz_id>")
@launch_required
def start_quiz_report(quiz_id: int) -> ResponseReturnValue:
    launch = current_launch()
    started = service.start_quiz_report(
        request_session(),
        launch,
        quiz_id=quiz_id,
        report_type=request.form.get("report_type", ""),
        all_versions=request.form.get("all_versions") in {"1", "on", "true"},
        now=current_now(),
        quiz_title=_cached_title(launch, quiz_id, new=False),
    )
    return _started(
        started, launch_url("reports.quiz", quiz_id=quiz_id, reused=int(started.reused))
    )


@bp.get("/reports/new_quiz/<int:assignment_id>")
@launch_required
def new_quiz(assignment_id: int) -> ResponseReturnValue:
    """A New Quiz's reports; a classic quiz's assignment goes to that quiz, anything else
    shows the picker (404)."""
    judge = current_judge()
    quizzes = quiz_picker.course_quizzes(judge.launch)
    found = quiz_resolution.resolve_new_quiz(quizzes, assignment_id)
    if found.choice is None:
        return quiz_picker.render_picker(quizzes, notice=found.notice, status=404)
    if found.choice.kind == "classic":
        return redirect(launch_url("reports.quiz", quiz_id=found.choice.id), 303)
    page = overview.new_quiz_page(
        request_session(), judge.client(), judge, assignment_id, canvas_cache.current_cache()
    )
    return render_template("reports/quiz.html", page=page)


@bp.post("/reports/new_quiz/<int:assignment_id>")
@launch_required
def start_new_quiz_report(assignment_id: int) -> ResponseReturnValue:
    launch = current_launch()
    started = service.start_new_quiz_report(
        request_session(),
        launch,
        assignment_id=assignment_id,
        report_type=request.form.get("report_type", ""),
        fmt=request.form.get("format", ""),
        now=current_now(),
        quiz_title=_cached_title(launch, assignment_id, new=True),
    )
    return _started(
        started,
        launch_url("reports.new_quiz", assignment_id=assignment_id, reused=int(started.reused)),
    )


def _started(started: service.Started, page: str) -> ResponseReturnValue:
    """Commit, wake the worker for the starting jobs, answer at once: 303 to ``page``, or
    202 with the jobs for ``fetch`` (``Accept: application/json``)."""
    rows = _committed(started.jobs)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs=[job_json(row) for row in rows], reused=started.reused), 202
    return redirect(page, 303)


def _cached_title(launch: Launch, item_id: int, *, new: bool) -> str:
    """The quiz's title from the course lists the user's pages cached, else "" (a start never
    waits for Canvas to name it)."""
    if launch.canvas_user_id is None or launch.canvas_course_id is None:
        return ""
    key = canvas_cache.CacheKey(
        launch.platform_id, launch.canvas_user_id, "course", launch.canvas_course_id, "quizzes"
    )

    def miss() -> overview.CourseQuizzes:
        raise LookupError

    try:
        lists = canvas_cache.current_cache().get_or_fetch(key, miss)
    except LookupError:
        return ""
    if new:
        return next((a.name for a in lists.new if a.id == item_id), "")
    return next((q.title for q in lists.classic if q.id == item_id), "")


# ---------------------------------------------------------------- one job


@bp.get("/reports/jobs/<int:job_id>")
@launch_required
def job(job_id: int) -> ResponseReturnValue:
    session, judge = request_session(), current_judge()
    row = session.scalars(visible_jobs(judge.launch).where(Job.id == job_id)).one_or_none()
    if row is None:
        return render_template("reports/job_missing.html"), 404
    if not judge.owns(row):
        judge.require_view(row)
    group = overview.group_jobs(session, judge, row.group_key) if row.group_key else [row]
    return render_template("reports/job.html", job=row, group=group)


_CONFIRMED = frozenset({"abort", "delete"})


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/reports/jobs/<int:job_id>/<action>")
@launch_required
@_changes_canvas
def job_action(job_id: int, action: str) -> ResponseReturnValue:
    # Every input is checked before the action changes anything (DB or Canvas).
    act = _ACTIONS.get(action)
    if act is None:
        raise BadRequest(_("Unknown action."))
    target = inputs.return_target()
    judge = current_judge()
    row = get_job(request_session(), judge.launch, job_id)
    judge.require_manage(row)
    if action in _CONFIRMED and request.form.get("confirm") != "1" and not _wants_json():
        # Without JavaScript (no dialog) abort and delete take a second, explicit step.
        return render_template("reports/confirm.html", job=row, action=action, next_url=target)
    try:
        row = act(request_session(), judge.client(), judge.launch, job_id, current_now())
    except IllegalTransition as refused:
        if action != "abort":
            raise
        # Lost the race (Canvas finished or moved on since the last poll): the refreshed
        # job is kept and shown where the user is, with what happened, not an error page.
        row = get_job(request_session(), judge.launch, job_id)
        notice = "finished" if JobStatus(row.status) in FINISHED else "not_abortable"
        _committed([row])
        if _wants_json():
            message = notice_text(notice) or refused.message
            body = {"error": refused.code, "message": message, "notice": notice}
            return jsonify({**body, "job": job_json(row)}), 409
        return _back(
            launch_url("reports.job", job_id=job_id, notice=notice),
            target,
            notice=f"{notice}&job={job_id}",
        )
    _committed([row])
    if _wants_json():
        return jsonify(job_json(row))
    return _back(launch_url("reports.job", job_id=job_id), target)


@bp.get("/reports/jobs/<int:job_id>/download")
@launch_required
def download(job_id: int) -> ResponseReturnValue:
    opened = files.open_job_file(request_session(), current_judge(), job_id, current_now())
    request_session().commit()
    return _stream(opened)


@bp.get("/reports/jobs/<int:job_id>/group.zip")
@launch_required
def download_group(job_id: int) -> ResponseReturnValue:
    opened = files.open_group_zip(request_session(), current_judge(), job_id, current_now())
    request_session().commit()
    return _stream(opened)


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).

    Quiz titles are often not ASCII ("Café Quiz Report.csv"); HTTP headers are latin-1.
    """
    cleaned = "".join(ch for ch in name if ch not in '"\\\r\n' and ord(ch) >= 0x20)
    ascii_name = (
        unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode() or "report"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def _stream(opened: files.JobFile) -> Response:
    response = Response(stream_with_context(opened.chunks), mimetype=opened.content_type)
    response.headers["Content-Disposition"] = content_disposition(opened.name)
    if opened.size is not None:
        response.headers["Content-Length"] = str(opened.size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- live progress (DB only)


def _ids(raw: str) -> list[int]:
    return inputs.id_list(raw)


@bp.get("/api/jobs")
@launch_required
def api_jobs() -> ResponseReturnValue:
    rows = overview.jobs_by_ids(
        request_session(), current_judge(), _ids(request.args.get("ids", ""))
    )
    return jsonify(jobs=[job_json(row) for row in rows])


@bp.get("/api/jobs/<int:job_id>")
@launch_required
def api_job(job_id: int) -> ResponseReturnValue:
    rows = overview.jobs_by_ids(request_session(), current_judge(), [job_id])
    if not rows:
        return jsonify(error="not_found", message=_("No such report job.")), 404
    return jsonify(job_json(rows[0]))


_LABELS = LABELS


def status_label(status: str) -> str:
    """The status in the request's language (remembered per request: a page of 50 jobs
    asks for the same few labels again and again)."""
    known: dict[str, str] | None = (
        g.setdefault("report_status_labels", {}) if has_request_context() else None
    )
    if known is not None and status in known:
        return known[status]
    label = _LABELS.get(JobStatus(status))
    text = str(label) if label is not None else status
    if known is not None:
        known[status] = text
    return text


def _page_notice() -> str:
    return notice_text(request.args.get("notice"))


def job_json(row: Job) -> dict[str, Any]:
    """What pages need to redraw a job (no Canvas URLs, no tokens, no report contents)."""
    finished = JobStatus(row.status) in FINISHED
    phase, phase_label = job_phase(row, status_label)
    return {
        "phase": phase,
        "phase_label": phase_label,
        "elapsed_seconds": elapsed_seconds(row),
        "id": row.id,
        "title": row.title,
        "family": row.family,
        "report_type": row.report_type,
        "status": row.status,
        "status_label": status_label(row.status),
        "starting": row.status == JobStatus.STARTING.value,
        "percent": round(row.percent, 1),
        "current_line": row.current_line,
        "file_name": row.file_name,
        "file_size": row.file_size,
        "error": translate_known(row.error) or None,
        "finished": finished,
        "group_key": row.group_key,
        "can_abort": actions.can_abort(row),
        "can_delete": actions.can_delete(row),
        "can_retry": actions.can_retry(row),
        "download_url": launch_url("reports.download", job_id=row.id)
        if row.status == JobStatus.COMPLETE.value and row.file_url
        else None,
        "insights_url": launch_url("insights.job", job_id=row.id)
        if row.status == JobStatus.COMPLETE.value
        and row.family in (Family.QUIZ.value, Family.NEW_QUIZ.value)
        else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def report_percent(percent: float) -> str:
    """``42.5`` / ``100``: the same text reports.js writes into ``aria-valuenow``."""
    return f"{round(percent, 1):g}"


class JobLinks:
    """The per-job links of a table of jobs: ``url_for`` once per kind of link, not per row.

    A page of 50 jobs needs five links per job that differ only in the job id, and building
    each with werkzeug cost more than the rest of the row. Each link is built once for a
    marker id and the row's id is put in its place: the int converter writes ``str(id)``,
    so the result is exactly what ``url_for``/``launch_url`` give (checked in tests); when
    the marker is not found exactly once the link is built the usual way.
    """

    _MARKER = 7_406_318_295_140_763_829  # a valid id (below 2**63) no real URL contains

    def __init__(self) -> None:
        self._patterns: dict[tuple[str, bool, str], tuple[str, str] | None] = {}

    def _link(self, endpoint: str, job_id: int, *, with_token: bool, action: str = "") -> str:
        build = launch_url if with_token else url_for
        extra: dict[str, Any] = {"action": action} if action else {}
        key = (endpoint, with_token, action)
        if key not in self._patterns:
            parts = build(endpoint, job_id=self._MARKER, **extra).split(str(self._MARKER))
            self._patterns[key] = (parts[0], parts[1]) if len(parts) == 2 else None
        pattern = self._patterns[key]
        if pattern is None:
            return build(endpoint, job_id=job_id, **extra)
        return f"{pattern[0]}{int(job_id)}{pattern[1]}"

    def page(self, job_id: int) -> str:
        """``launch_url('reports.job', job_id=...)``."""
        return self._link("reports.job", job_id, with_token=True)

    def download(self, job_id: int) -> str:
        """``launch_url('reports.download', job_id=...)``."""
        return self._link("reports.download", job_id, with_token=True)

    def insights(self, job_id: int) -> str:
        """``launch_url('insights.job', job_id=...)``."""
        return self._link("insights.job", job_id, with_token=True)

    def action(self, job_id: int, action: str) -> str:
        """``url_for('reports.job_action', job_id=..., action=...)`` (forms carry ``lt``)."""
        return self._link("reports.job_action", job_id, with_token=False, action=action)


def _register_globals(app: Flask) -> None:
    app.jinja_env.globals.update(
        report_status_label=status_label,
        report_job_links=JobLinks,
        report_job_json=job_json,
        human_size=human_size,
        report_elapsed=lambda row: elapsed_text(elapsed_seconds(row)),
        report_percent=report_percent,
        report_can_abort=actions.can_abort,
        report_can_delete=actions.can_delete,
        report_can_retry=actions.can_retry,
        report_notice=_page_notice,
        report_param_label=labels.label_for,
        report_choice_label=labels.choice_label,
        report_sis_tables=labels.SIS_TABLES,
        report_table_reports=labels.TABLE_REPORTS,
        report_phase=lambda row: job_phase(row, status_label),
        Family=Family,
    )
