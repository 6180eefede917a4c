"""Classic Quiz Reports API (reports-api.md §3): index, create, show, abort (DELETE).

Two renderings of the same ``QuizStatistics`` rows (``Quizzes::QuizReportSerializer``):
plain JSON (integer ids, ``quiz_id``, ``progress_url`` while a Progress exists, the ``file``
always embedded once generated) and JSON-API when the client sends
``Accept: application/vnd.api+json`` (``{"quiz_reports": [...]}`` envelope, string ids,
``links.quiz``, ``file``/``progress`` only with ``include[]``). ``index`` exposes both
associations (the controller passes ``%w[file progress]``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App

from emulator.api import new_quiz_reports, new_quizzes, quizzes
from emulator.api.auth import can_read_reports_on_account
from emulator.api.errors import not_found, reject
from emulator.api.files import file_json
from emulator.api.formats import iso
from emulator.api.progress import progress_json, progress_url, refresh_hooks
from emulator.api.quizzes import find_quiz, require_statistics_reader, value_to_boolean
from emulator.reports import quiz_jobs
from emulator.reports import quiz_statistics as model
from emulator.state import Emulator, current_emulator
from emulator.store import Quiz, QuizStatistics, Store, User

bp = Blueprint("emulator_quiz_reports", __name__)
# One registration brings every quiz endpoint: quizzes, classic and New Quizzes reports.
bp.register_blueprint(quizzes.bp)
bp.register_blueprint(new_quiz_reports.bp)
bp.register_blueprint(new_quizzes.bp)


def install(app: App) -> None:
    """Let progress reads and resets drive/forget quiz report jobs."""
    emulator: Emulator = app.extensions["emulator"]
    with emulator.store.lock:
        hooks = refresh_hooks(emulator)
        if quiz_jobs.refresh_hook not in hooks:
            hooks.append(quiz_jobs.refresh_hook)
        resets: list[object] = emulator.parts.setdefault("reset_hooks", [])
        if quiz_jobs.reset_hook not in resets:
            resets.append(quiz_jobs.reset_hook)


@bp.record_once
def _on_register(state: BlueprintSetupState) -> None:
    install(state.app)

JSONAPI = "application/vnd.api+json"
BASE = "/api/v1/courses/<int:course_id>/quizzes/<int:quiz_id>/reports"


def accepts_jsonapi() -> bool:
    return JSONAPI in request.headers.get("Accept", "")


def includes_sis_ids_for(store: Store, user: User, course_id: int) -> bool:
    """Teachers and admins may read SIS ids; TAs may not (the modern spec's expectations)."""
    teacher = any(e.type == "TeacherEnrollment" and e.workflow_state == "active"
                  for e in store.enrollments_of(user.id, course_id))
    course = store.courses[course_id]
    return teacher or can_read_reports_on_account(store, user, course.account_id)


def report_json(emulator: Emulator, quiz: Quiz, stats: QuizStatistics,
                includes: set[str], *, jsonapi: bool) -> dict[str, Any]:
    store = emulator.store
    base = emulator.base_url
    quiz_url = f"{base}/api/v1/courses/{quiz.course_id}/quizzes/{quiz.id}"
    progress = store.progresses.get(stats.progress_id or 0)
    attachment = store.attachments.get(stats.attachment_id or 0)
    body: dict[str, Any] = {
        "id": str(stats.id) if jsonapi else stats.id,
        "report_type": stats.report_type,
        "readable_type": model.READABLE_TYPES[stats.report_type],
        "includes_all_versions": stats.includes_all_versions,
        "includes_sis_ids": stats.includes_sis_ids,
        "generatable": model.generatable(quiz, stats),
        "anonymous": stats.anonymous,
        "url": f"{quiz_url}/reports/{stats.id}",
    }
    if progress is not None and not jsonapi:
        body["progress_url"] = progress_url(emulator, progress.id)
    body["created_at"] = iso(stats.created_at)
    body["updated_at"] = iso(stats.updated_at)
    if progress is not None and "progress" in includes:
        body["progress"] = progress_json(emulator, progress, include_results=False)
    if attachment is not None and "file" in includes:
        body["file"] = file_json(emulator, attachment)
    if jsonapi:
        body["links"] = {"quiz": quiz_url}
    else:
        body["quiz_id"] = quiz.id
    return body


def expose(emulator: Emulator, quiz: Quiz, stats: list[QuizStatistics],
           includes: set[str], *, single: bool) -> Response:
    jsonapi = accepts_jsonapi()
    with emulator.store.lock:
        for row in stats:
            model.refresh(emulator, row)
        rendered = [report_json(emulator, quiz, row, includes, jsonapi=jsonapi) for row in stats]
    if jsonapi:
        return jsonify({"quiz_reports": rendered})
    return jsonify(rendered[0] if single else rendered)


def requested_includes() -> set[str]:
    """``backward_compatible_includes``: JSON-API honours include[]; plain JSON gets the file."""
    if not accepts_jsonapi():
        return {"file"}
    values = request.args.getlist("include[]") + request.args.getlist("include")
    return {v for v in values if v in ("file", "progress")}


def _create_params() -> dict[str, Any]:
    if not accepts_jsonapi():
        return quizzes.quiz_report_params("report_type", "includes_all_versions")
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("quiz_reports"), list):
        first = body["quiz_reports"][0] if body["quiz_reports"] else {}
        return first if isinstance(first, dict) else {}
    return {"report_type": request.values.get("quiz_reports[][report_type]"),
            "includes_all_versions": request.values.get("quiz_reports[][includes_all_versions]")}


@bp.get(BASE)
def index(course_id: int, quiz_id: int) -> Response:
    emulator = current_emulator()
    quiz = find_quiz(emulator, course_id, quiz_id)
    user = require_statistics_reader(emulator, course_id)
    store = emulator.store
    all_versions = value_to_boolean(request.args.get("includes_all_versions"))
    sis = includes_sis_ids_for(store, user, course_id)
    stats = [model.current_statistics_for(store, quiz, report_type,
                                          includes_all_versions=all_versions,
                                          includes_sis_ids=sis)
             for report_type in model.REPORT_TYPES]
    return expose(emulator, quiz, stats, {"file", "progress"}, single=False)


@bp.post(BASE)
def create(course_id: int, quiz_id: int) -> Response:
    emulator = current_emulator()
    quiz = find_quiz(emulator, course_id, quiz_id)
    user = require_statistics_reader(emulator, course_id)
    store = emulator.store
    params = _create_params()
    report_type = params.get("report_type")
    if report_type not in model.REPORT_TYPES:
        raise reject("invalid quiz report type", 400)
    with store.lock:
        stats = model.current_statistics_for(
            store, quiz, str(report_type),
            includes_all_versions=value_to_boolean(params.get("includes_all_versions")),
            includes_sis_ids=includes_sis_ids_for(store, user, course_id))
        model.refresh(emulator, stats)
        if model.generating(emulator, stats):
            raise reject("report is already being generated", 409)
        model.regenerate_if_failed(emulator, stats)
        model.generate_in_background(emulator, quiz, stats)
    return expose(emulator, quiz, [stats], requested_includes(), single=True)


def _find_stats(emulator: Emulator, quiz: Quiz, report_id: int) -> QuizStatistics:
    stats = emulator.store.quiz_statistics.get(report_id)
    if stats is None or stats.quiz_id != quiz.id:
        raise not_found()
    return stats


@bp.get(f"{BASE}/<int:report_id>")
def show(course_id: int, quiz_id: int, report_id: int) -> Response:
    emulator = current_emulator()
    quiz = find_quiz(emulator, course_id, quiz_id)
    require_statistics_reader(emulator, course_id)
    stats = _find_stats(emulator, quiz, report_id)
    return expose(emulator, quiz, [stats], requested_includes(), single=True)


@bp.delete(f"{BASE}/<int:report_id>")
def abort(course_id: int, quiz_id: int, report_id: int) -> Response:
    emulator = current_emulator()
    quiz = find_quiz(emulator, course_id, quiz_id)
    require_statistics_reader(emulator, course_id)
    stats = _find_stats(emulator, quiz, report_id)
    try:
        model.abort(emulator, stats)
    except model.AbortRefusedError as refused:
        raise reject(str(refused), 422) from refused
    return Response(status=204)
