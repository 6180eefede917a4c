"""New Quizzes reports: ``POST /api/quiz/v1/courses/:course_id/quizzes/:assignment_id/reports``.

Documented behaviour (reports-api.md §4): both ``quiz_report[report_type]``
(student_analysis | item_analysis) and ``quiz_report[format]`` (csv | json) are required
(else 400), 409 while a report of that type is being generated for the quiz, otherwise a
Progress (``context_type: "Assignment"``) whose ``results.url`` leads to the file once it has
``completed``. The Progress is driven by the same lazy clock as classic quiz reports; the
``stick`` fault reproduces canvas-lms issue #2488 (a Progress that stays ``running``).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulator.api.errors import not_found, reject
from emulator.api.files import download_url
from emulator.api.progress import PENDING_STATES, progress_json
from emulator.api.quizzes import find_course, quiz_report_params, require_statistics_reader
from emulator.reports import new_quizzes, quiz_jobs
from emulator.reports.quiz_statistics import people_of_course
from emulator.state import Emulator, current_emulator
from emulator.store import Assignment, Attachment, NewQuizReport, create_progress

bp = Blueprint("emulator_new_quiz_reports", __name__)

REPORT_TYPES = ("student_analysis", "item_analysis")
FORMATS = ("csv", "json")
CONTEXT = "Assignment"
TAG = "new_quizzes_report"
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}


def find_new_quiz(emulator: Emulator, course_id: int, assignment_id: int) -> Assignment:
    find_course(emulator, course_id)
    assignment = emulator.store.assignments.get(assignment_id)
    if (assignment is None or assignment.course_id != course_id
            or not assignment.is_quiz_lti_assignment):
        raise not_found()
    return assignment


def render_file(emulator: Emulator, assignment: Assignment, report_type: str,
                fmt: str) -> bytes:
    people = people_of_course(emulator.store, assignment.course_id)
    now = emulator.store.now()
    if report_type == "student_analysis":
        text = (new_quizzes.student_analysis_csv(assignment, people) if fmt == "csv"
                else new_quizzes.student_analysis_json(assignment, people, now))
    else:
        text = (new_quizzes.item_analysis_csv(assignment) if fmt == "csv"
                else new_quizzes.item_analysis_json(assignment, now))
    return text.encode("utf-8")


def _generating(emulator: Emulator, assignment: Assignment, report_type: str) -> bool:
    store = emulator.store
    for report in store.new_quiz_reports.values():
        if report.assignment_id != assignment.id or report.report_type != report_type:
            continue
        progress = store.progresses.get(report.progress_id)
        if progress is None:
            continue
        quiz_jobs.advance(emulator, progress)
        if progress.workflow_state in PENDING_STATES:
            return True
    return False


@bp.post("/api/quiz/v1/courses/<int:course_id>/quizzes/<int:assignment_id>/reports")
def create(course_id: int, assignment_id: int) -> Response:
    emulator = current_emulator()
    assignment = find_new_quiz(emulator, course_id, assignment_id)
    user = require_statistics_reader(emulator, course_id)
    params = quiz_report_params("report_type", "format")
    report_type, fmt = params.get("report_type"), params.get("format")
    if report_type not in REPORT_TYPES:
        raise reject("invalid quiz report type", 400)
    if fmt not in FORMATS:
        raise reject("invalid quiz report format", 400)
    store = emulator.store
    with store.lock:
        if _generating(emulator, assignment, str(report_type)):
            raise reject("report is already being generated", 409)
        progress = create_progress(store, CONTEXT, assignment.id, TAG, user.id)
        report = NewQuizReport(id=store.next_id("new_quiz_report"), course_id=course_id,
                               assignment_id=assignment.id, report_type=str(report_type),
                               format=str(fmt), user_id=user.id, progress_id=progress.id)
        store.new_quiz_reports[report.id] = report
        quiz_jobs.enqueue(emulator, progress, _job(emulator, assignment, report, progress.id))
        return jsonify(progress_json(emulator, progress))


def _job(emulator: Emulator, assignment: Assignment, report: NewQuizReport,
         progress_id: int) -> quiz_jobs.QuizJob:
    progress = emulator.store.progresses[progress_id]
    readable = "Student Analysis" if report.report_type == "student_analysis" else "Item Analysis"

    def build() -> quiz_jobs.FileSpec:
        data = render_file(emulator, assignment, report.report_type, report.format)
        return quiz_jobs.FileSpec(
            CONTEXT, assignment.id, f"{assignment.name} {readable} Report.{report.format}",
            f"new_quiz_{report.report_type}_report.{report.format}",
            CONTENT_TYPES[report.format], data, report.user_id)

    def done(attachment: Attachment) -> None:
        report.attachment_id = attachment.id

    def results(attachment: Attachment) -> dict[str, object]:
        return {"url": download_url(emulator, attachment), "file_id": attachment.id,
                "report_type": report.report_type, "format": report.format,
                "display_name": attachment.display_name,
                "content_type": attachment.content_type, "size": len(attachment.data)}

    rows = len(assignment.new_quiz_submissions if report.report_type == "student_analysis"
               else assignment.new_quiz_questions)
    return quiz_jobs.QuizJob(
        progress_id=progress_id, created_at=progress.created_at, rows=rows,
        fate=quiz_jobs.fate_for(emulator, "new_quiz_report", report.report_type),
        build=build, on_complete=done, results=results)
