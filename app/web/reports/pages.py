"""Report pages: the account catalogue and its forms, course reports, quizzes, and
the start requests they post (recorded at once; the worker makes the Canvas call)."""

from __future__ import annotations

from flask import (
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue

from app.canvas.errors import CanvasNotPermitted
from app.db import request_session
from app.extensions import current_now
from app.models.launch import Launch
from app.reports import (
    canvas_cache,
    files,
    overview,
    quiz_resolution,
    rights,
    service,
)
from app.reports.kinds import FormErrors
from app.web import quiz_picker
from app.web.auth import current_launch, launch_required, launch_url
from app.web.reports.common import (
    START_CHECK_SECONDS,
    _client,
    _form_values,
    _started,
    _stream,
    _wants_json,
    bp,
    current_judge,
)

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
