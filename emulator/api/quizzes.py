"""Classic quizzes: ``GET /api/v1/courses/:course_id/quizzes[/:id]`` (Quiz JSON basics).

Students see only published quizzes (canvas-lms ``app/controllers/quizzes/quizzes_controller.rb``
``scoped_quizzes_index``: ``scope.available unless read_as_admin``; ``show`` is
``authorized_action(@quiz, :read)``, which a student lacks on an unpublished quiz).

Also the lookups the quiz report blueprints share (course, quiz, permission, booleans,
``quiz_report`` parameters).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.api.auth import (
    authorize,
    can_read_course,
    can_read_statistics,
    can_see_unpublished,
    require_user,
)
from emulator.api.errors import not_found
from emulator.api.pagination import paginate
from emulator.state import Emulator, current_emulator
from emulator.store import Course, Quiz, User

bp = Blueprint("emulator_quizzes", __name__)

TRUE_VALUES = frozenset({"1", "true", "t", "yes", "y", "on"})


def value_to_boolean(value: Any) -> bool:
    """Canvas's ``value_to_boolean`` for form, query and JSON values."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in TRUE_VALUES


def quiz_report_params(*names: str) -> dict[str, Any]:
    """The ``quiz_report`` object of a JSON body, else the ``quiz_report[<name>]`` fields."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("quiz_report"), dict):
        params: dict[str, Any] = body["quiz_report"]
        return params
    return {name: request.values.get(f"quiz_report[{name}]") for name in names}


def find_course(emulator: Emulator, course_id: int) -> Course:
    course = emulator.store.courses.get(course_id)
    if course is None or course.workflow_state == "deleted":
        raise not_found()
    return course


def find_quiz(emulator: Emulator, course_id: int, quiz_id: int) -> Quiz:
    """``require_context`` + ``require_quiz``: 404 unless the quiz belongs to the course."""
    find_course(emulator, course_id)
    quiz = emulator.store.quizzes.get(quiz_id)
    if quiz is None or quiz.course_id != course_id:
        raise not_found()
    return quiz


def require_statistics_reader(emulator: Emulator, course_id: int) -> User:
    """``authorized_action(@quiz, @current_user, :read_statistics)``."""
    user = require_user()
    authorize(can_read_statistics(emulator.store, user, course_id))
    return user


def question_count(quiz: Quiz) -> int:
    return sum(1 for q in quiz.questions if q.question_type != "text_only_question")


def quiz_json(emulator: Emulator, quiz: Quiz) -> dict[str, Any]:
    base = emulator.base_url
    api = f"{base}/api/v1/courses/{quiz.course_id}/quizzes/{quiz.id}"
    return {
        "id": quiz.id,
        "title": quiz.title,
        "html_url": f"{base}/courses/{quiz.course_id}/quizzes/{quiz.id}",
        "mobile_url": (f"{base}/courses/{quiz.course_id}/quizzes/{quiz.id}"
                       "?force_user=1&persist_headless=1"),
        "description": "",
        "quiz_type": quiz.quiz_type,
        "assignment_id": quiz.assignment_id,
        "time_limit": None,
        "shuffle_answers": False,
        "hide_results": None,
        "show_correct_answers": True,
        "scoring_policy": quiz.scoring_policy,
        "allowed_attempts": quiz.allowed_attempts,
        "one_question_at_a_time": False,
        "question_count": question_count(quiz),
        "points_possible": quiz.points_possible,
        "cant_go_back": False,
        "access_code": None,
        "ip_filter": None,
        "due_at": None,
        "lock_at": None,
        "unlock_at": None,
        "published": quiz.published_at is not None,
        "unpublishable": False,
        "locked_for_user": False,
        "anonymous_submissions": quiz.anonymous_submissions,
        "question_types": sorted({q.question_type for q in quiz.questions}),
        "quiz_reports_url": f"{api}/reports",
        "quiz_statistics_url": f"{api}/statistics",
    }


@bp.get("/api/v1/courses/<int:course_id>/quizzes")
def index(course_id: int) -> Response:
    emulator = current_emulator()
    find_course(emulator, course_id)
    user = require_user()
    authorize(can_read_course(emulator.store, user, course_id))
    staff = can_see_unpublished(emulator.store, user, course_id)
    with emulator.store.lock:
        quizzes = sorted((q for q in emulator.store.quizzes.values() if q.course_id == course_id
                          and (staff or q.published_at is not None)),
                         key=lambda q: q.id)
        return paginate(quizzes, lambda q: quiz_json(emulator, q))


@bp.get("/api/v1/courses/<int:course_id>/quizzes/<int:quiz_id>")
def show(course_id: int, quiz_id: int) -> Response:
    emulator = current_emulator()
    quiz = find_quiz(emulator, course_id, quiz_id)
    user = require_user()
    authorize(can_read_course(emulator.store, user, course_id) and (
        quiz.published_at is not None or can_see_unpublished(emulator.store, user, course_id)))
    return jsonify(quiz_json(emulator, quiz))
