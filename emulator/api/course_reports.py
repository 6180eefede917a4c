"""Course Reports API (reports-api.md §2): ``course_pace_docx`` create/show/last.

Check order of ``course_reports_controller.rb``: a user, the course (404), the report type
(400 ``invalid report type`` — before the permission check), then ``read_reports``. A report
is readable only by the user who created it. ``last`` with no report answers ``{}``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.api.auth import authorize, can_read_reports_on_course, require_user
from emulator.api.errors import bad_request, not_found
from emulator.api.files import download_url, file_json
from emulator.api.formats import iso
from emulator.api.lookup import api_find
from emulator.reports import course_lifecycle
from emulator.state import Emulator, current_emulator
from emulator.store import Course, CourseReport, Store, User, create_progress

bp = Blueprint("emulator_course_reports", __name__)
REPORT_TYPES = frozenset({"course_pace_docx"})
PERMITTED = ("section_ids", "enrollment_ids")
FORM_PARAMETER = re.compile(r"\Aparameters\[(section_ids|enrollment_ids)\](\[\])?\Z")
PREFIX = "/api/v1/courses/<course_ref>/reports/<report_type>"


def find_course(store: Store, ref: str) -> Course:
    """``api_find(Course, id)``: numeric ids and ``sis_course_id:`` forms; deleted is 404."""
    return api_find(store.courses, ref, "sis_course_id")


def report_json(emulator: Emulator, report: CourseReport) -> dict[str, Any]:
    """``course_report_json``."""
    store = emulator.store
    attachment = store.attachments.get(report.attachment_id or 0)
    progress = store.progresses.get(report.progress_id)
    if report.workflow_state == "complete":
        percent = 100
    elif progress is not None and progress.completion is not None:
        percent = int(progress.completion)
    else:
        percent = 0
    body: dict[str, Any] = {
        "id": report.id,
        "parameters": report.parameters,
        "status": report.workflow_state,
        "report_type": report.report_type,
        "course_id": report.course_id,
        "created_at": iso(report.created_at),
        "started_at": iso(report.start_at),
        "ended_at": iso(report.end_at),
        "file_url": download_url(emulator, attachment) if attachment else None,
        "progress": percent,
    }
    if attachment is not None:
        body["attachment"] = file_json(emulator, attachment)
    return body


def _parameters() -> dict[str, Any]:
    """Only ``section_ids`` and ``enrollment_ids`` are permitted (``params.permit``)."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("parameters"), dict):
        return {k: v for k, v in body["parameters"].items() if k in PERMITTED}
    found: dict[str, Any] = {}
    for key in request.form:
        match = FORM_PARAMETER.match(key)
        if match:
            found[match.group(1)] = (request.form.getlist(key) if match.group(2)
                                     else request.form.get(key))
    return found


def _start(course_ref: str) -> tuple[Emulator, Course, User]:
    emulator = current_emulator()
    user = require_user()
    return emulator, find_course(emulator.store, course_ref), user


@bp.post(PREFIX)
def create(course_ref: str, report_type: str) -> Response:
    emulator, course, user = _start(course_ref)
    if report_type not in REPORT_TYPES:
        raise bad_request({"error": f"invalid report type {report_type}"})
    store = emulator.store
    authorize(can_read_reports_on_course(store, user, course.id))
    with store.lock:
        report_id = store.next_id("course_report")
        progress = create_progress(store, "CourseReport", report_id, "course_report", None)
        report = CourseReport(
            id=report_id, course_id=course.id, report_type=report_type, user_id=user.id,
            parameters=_parameters(), workflow_state="created", progress_id=progress.id,
            created_at=store.now(),
        )
        store.course_reports[report.id] = report
        body = report_json(emulator, report)
    course_lifecycle.register(emulator, report)
    return jsonify(body)


@bp.get(f"{PREFIX}/<int:report_id>")
def show(course_ref: str, report_type: str, report_id: int) -> Response:
    emulator, course, user = _start(course_ref)
    store = emulator.store
    with store.lock:
        report = store.course_reports.get(report_id)
        if (report is None or report.course_id != course.id
                or report.report_type != report_type or report.workflow_state == "deleted"):
            raise not_found()
        authorize(report.user_id == user.id)
        course_lifecycle.advance(emulator, report)
        return jsonify(report_json(emulator, report))


@bp.get(PREFIX)
def last(course_ref: str, report_type: str) -> Response:
    emulator, course, user = _start(course_ref)
    store = emulator.store
    with store.lock:
        mine = [r for r in store.course_reports.values()
                if r.course_id == course.id and r.report_type == report_type
                and r.user_id == user.id and r.workflow_state != "deleted"]
        if not mine:
            return jsonify({})
        report = max(mine, key=lambda r: (r.created_at, r.id))
        course_lifecycle.advance(emulator, report)
        return jsonify(report_json(emulator, report))
