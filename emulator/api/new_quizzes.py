"""The New Quizzes public API: ``GET /api/quiz/v1/courses/:course_id/quizzes[/:assignment_id]``.

Shape: the ``NewQuiz`` object of Canvas's API documentation (``doc/api/new_quizzes.html``,
generated from ``app/controllers/new_quizzes/quizzes_api_controller.rb``): ``id`` and
``assignment_group_id`` are strings, ``instructions`` is HTML, dates ISO 8601, and
``quiz_settings`` is ``null`` (the documented example; the emulator models no settings).
The quiz's id is its assignment's id (the path's ``:assignment_id``).

Permissions (the same controller): ``index`` needs ``:read`` on the course and lists
``Assignments::ScopedToUser(...).scope.type_quiz_lti`` (students: published only); ``show``
finds the assignment among the course's active assignments (404) and answers
"unauthorized" unless the user may read it and it is visible to them (an unpublished New
Quiz is invisible to a student).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from emulator.api.auth import authorize, can_read_course, can_see_unpublished, require_user
from emulator.api.formats import iso
from emulator.api.new_quiz_reports import find_new_quiz
from emulator.api.pagination import paginate
from emulator.api.quizzes import find_course
from emulator.state import current_emulator
from emulator.store import Assignment

bp = Blueprint("emulator_new_quizzes", __name__)

ASSIGNMENT_GROUP_ID = "1"  # one "Assignments" group per course (not modelled further)


def new_quiz_json(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": str(assignment.id),
        "title": assignment.name,
        "instructions": assignment.description or "",
        "assignment_group_id": ASSIGNMENT_GROUP_ID,
        "points_possible": assignment.points_possible,
        "due_at": iso(assignment.due_at),
        "lock_at": None,
        "unlock_at": None,
        "published": assignment.published,
        "grading_type": "points",
        "quiz_settings": None,
    }


def _visible(assignment: Assignment, staff: bool) -> bool:
    return staff or assignment.published


@bp.get("/api/quiz/v1/courses/<int:course_id>/quizzes")
def index(course_id: int) -> Response:
    emulator = current_emulator()
    find_course(emulator, course_id)
    user = require_user()
    store = emulator.store
    authorize(can_read_course(store, user, course_id))
    staff = can_see_unpublished(store, user, course_id)
    with store.lock:
        found = sorted(
            (
                a
                for a in store.assignments.values()
                if a.course_id == course_id and a.is_quiz_lti_assignment and _visible(a, staff)
            ),
            key=lambda a: a.id,
        )
        return paginate(found, new_quiz_json)


@bp.get("/api/quiz/v1/courses/<int:course_id>/quizzes/<int:assignment_id>")
def show(course_id: int, assignment_id: int) -> Response:
    emulator = current_emulator()
    assignment = find_new_quiz(emulator, course_id, assignment_id)
    user = require_user()
    store = emulator.store
    authorize(
        can_read_course(store, user, course_id)
        and _visible(assignment, can_see_unpublished(store, user, course_id))
    )
    return jsonify(new_quiz_json(assignment))
