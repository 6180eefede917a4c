"""The New Quizzes public API (``/api/quiz/v1/courses/:course_id/quizzes[/:assignment_id]``):
the documented ``NewQuiz`` shape and Canvas's visibility rules."""

from __future__ import annotations

from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as

NEW_QUIZ_KEYS = {
    "id", "title", "instructions", "assignment_group_id", "points_possible", "due_at",
    "lock_at", "unlock_at", "published", "grading_type", "quiz_settings",
}  # fmt: skip


def test_show_has_the_documented_new_quiz_shape(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).get("/api/quiz/v1/courses/101/quizzes/301")
    assert response.status_code == 200
    quiz = response.json()
    assert set(quiz) == NEW_QUIZ_KEYS
    assert quiz["id"] == "301"  # a string, the assignment's id
    assert quiz["title"] == "Genetics Check"
    assert quiz["instructions"].startswith("<p>")
    assert quiz["assignment_group_id"] == "1"
    assert quiz["points_possible"] == frozen.emulator.store.assignments[301].points_possible
    assert quiz["due_at"] == "2026-10-23T23:59:00Z"
    assert quiz["published"] is True
    assert quiz["grading_type"] == "points"
    assert quiz["quiz_settings"] is None


def test_list_gives_the_course_new_quizzes_only(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).get("/api/quiz/v1/courses/101/quizzes")
    assert response.status_code == 200
    assert [q["id"] for q in response.json()] == ["301"]  # not the classic quizzes' 311, 312
    assert 'rel="current"' in response.headers["Link"]
    arts = api_as(frozen, 6).get("/api/quiz/v1/courses/103/quizzes").json()
    assert [(q["id"], q["title"]) for q in arts] == [("302", "Baroque Check")]


def test_show_of_other_things_is_not_found(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    assert api.get("/api/quiz/v1/courses/101/quizzes/311").status_code == 404  # classic quiz's
    assert api.get("/api/quiz/v1/courses/101/quizzes/302").status_code == 404  # other course
    assert api.get("/api/quiz/v1/courses/101/quizzes/999").status_code == 404
    assert api.get("/api/quiz/v1/courses/999/quizzes").status_code == 404


def test_students_see_published_new_quizzes_and_strangers_nothing(frozen: LiveEmulator) -> None:
    student = api_as(frozen, 10)
    assert student.get("/api/quiz/v1/courses/101/quizzes/301").json()["title"] == "Genetics Check"
    assert [q["id"] for q in student.get("/api/quiz/v1/courses/101/quizzes").json()] == ["301"]
    stranger = api_as(frozen, 6)  # teaches 103 only
    assert stranger.get("/api/quiz/v1/courses/101/quizzes").status_code == 401
    assert stranger.get("/api/quiz/v1/courses/101/quizzes/301").status_code == 401
    assert api_as(frozen, None).get("/api/quiz/v1/courses/101/quizzes").status_code == 401


def test_an_unpublished_new_quiz_is_hidden_from_students_only(frozen: LiveEmulator) -> None:
    """``Assignments::ScopedToUser`` (index) and ``visible_to_user?`` (show)."""
    frozen.emulator.store.assignments[301].published = False
    student = api_as(frozen, 10)
    assert student.get("/api/quiz/v1/courses/101/quizzes").json() == []
    assert student.get("/api/quiz/v1/courses/101/quizzes/301").status_code == 401
    for user_id in (3, 4, 5, 1):  # teacher, TA, designer, root admin
        api = api_as(frozen, user_id)
        assert [q["id"] for q in api.get("/api/quiz/v1/courses/101/quizzes").json()] == ["301"]
        assert api.get("/api/quiz/v1/courses/101/quizzes/301").json()["published"] is False


def test_assignments_list_hides_unpublished_ones_from_students(frozen: LiveEmulator) -> None:
    frozen.emulator.store.assignments[301].published = False
    student_ids = [
        a["id"]
        for a in api_as(frozen, 10)
        .get("/api/v1/courses/101/assignments", params={"per_page": 50})
        .json()
    ]
    assert 301 not in student_ids
    teacher = {
        a["id"]: a
        for a in api_as(frozen, 3)
        .get("/api/v1/courses/101/assignments", params={"per_page": 50})
        .json()
    }
    assert teacher[301]["published"] is False
    assert teacher[301]["workflow_state"] == "unpublished"
    assert teacher[311]["due_at"] is None
