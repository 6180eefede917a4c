"""``GET /api/v1/courses/:course_id/quizzes[/:id]``: Quiz JSON basics, pagination, access."""

from __future__ import annotations

from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as


def test_list_quizzes_of_a_course(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).get("/api/v1/courses/101/quizzes")
    assert response.status_code == 200
    quizzes = {q["id"]: q for q in response.json()}
    assert set(quizzes) == {201, 202, 205}
    midterm = quizzes[201]
    assert midterm["title"] == "Cell Biology Midterm"
    assert midterm["quiz_type"] == "assignment"
    assert midterm["question_count"] == 20
    assert midterm["points_possible"] == 100.0
    assert midterm["published"] is True
    assert midterm["assignment_id"] == 311
    assert midterm["html_url"] == f"{frozen.url}/courses/101/quizzes/201"
    # text-only questions do not count as questions.
    assert quizzes[202]["question_count"] == 11
    assert quizzes[205]["quiz_type"] == "survey"
    assert 'rel="current"' in response.headers["Link"]


def test_pagination(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    first = api.get("/api/v1/courses/101/quizzes", params={"per_page": 2})
    assert [q["id"] for q in first.json()] == [201, 202]
    assert 'rel="next"' in first.headers["Link"]
    second = api.get("/api/v1/courses/101/quizzes", params={"per_page": 2, "page": 2})
    assert [q["id"] for q in second.json()] == [205]


def test_show_quiz_and_wrong_course(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    assert api.get("/api/v1/courses/104/quizzes/203").json()["title"] == "Large Final"
    assert api.get("/api/v1/courses/101/quizzes/203").status_code == 404
    assert api.get("/api/v1/courses/101/quizzes/999").status_code == 404
    assert api.get("/api/v1/courses/999/quizzes").status_code == 404


def test_students_may_list_but_strangers_may_not(frozen: LiveEmulator) -> None:
    assert api_as(frozen, 10).get("/api/v1/courses/101/quizzes").status_code == 200
    refused = api_as(frozen, 6).get("/api/v1/courses/101/quizzes")
    assert refused.status_code == 401
    assert refused.json()["status"] == "unauthorized"
    assert api_as(frozen, 6).get("/api/v1/courses/101/quizzes/201").status_code == 401
    assert api_as(frozen, None).get("/api/v1/courses/101/quizzes").status_code == 401


def _unpublish_midterm(live: LiveEmulator) -> None:
    live.emulator.store.quizzes[201].published_at = None


def test_students_see_only_published_quizzes(frozen: LiveEmulator) -> None:
    """canvas-lms ``quizzes_controller.rb``: ``scope.available unless read_as_admin``."""
    _unpublish_midterm(frozen)
    student = api_as(frozen, 10)
    assert [q["id"] for q in student.get("/api/v1/courses/101/quizzes").json()] == [202, 205]
    assert student.get("/api/v1/courses/101/quizzes/201").status_code == 401
    assert student.get("/api/v1/courses/101/quizzes/202").status_code == 200


def test_staff_see_unpublished_quizzes(frozen: LiveEmulator) -> None:
    _unpublish_midterm(frozen)
    for user_id in (3, 4, 5, 1):  # teacher, TA, designer, root admin
        api = api_as(frozen, user_id)
        listed = [q["id"] for q in api.get("/api/v1/courses/101/quizzes").json()]
        assert listed == [201, 202, 205]
        shown = api.get("/api/v1/courses/101/quizzes/201").json()
        assert shown["published"] is False
