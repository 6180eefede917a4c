"""Quiz resolution and the picker's list, on Canvas payloads (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.canvas.payloads import Assignment, Quiz
from app.inputs import is_tool_page_path
from app.reports import quiz_resolution as qr
from app.reports.overview import CourseQuizzes


def _quizzes() -> CourseQuizzes:
    aug = datetime(2026, 8, 1, tzinfo=UTC)
    return CourseQuizzes(
        classic=[
            Quiz(id=201, title="Cell Biology Midterm", assignment_id=311, published=True,
                 allowed_attempts=3),
            Quiz(id=202, title="Mixed Question Types", assignment_id=312, published=False),
            Quiz(id=205, title="Course Feedback Survey", allowed_attempts=-1),
        ],
        new=[Assignment(id=301, name="Genetics Check", is_quiz_lti_assignment=True,
                        due_at=datetime(2026, 10, 1, tzinfo=UTC), created_at=aug)],
        quiz_assignments=[
            Assignment(id=311, name="Cell Biology Midterm", quiz_id=201, created_at=aug),
            Assignment(id=312, name="Mixed Question Types", quiz_id=202,
                       created_at=datetime(2026, 8, 2, tzinfo=UTC)),
        ],
        other_assignment_ids=frozenset({320}),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("quiz_id", "assignment_id", "kind", "found"),
    [
        (201, None, "classic", 201),
        (205, None, "classic", 205),
        (None, 311, "classic", 201),  # a classic quiz's assignment: its quiz, never a New Quiz
        (None, 301, "new", 301),
        (201, 301, "new", 301),  # the assignment wins, as in app.lti.claims
    ],
)
def test_named_items_resolve_to_their_quiz(
    quiz_id: int | None, assignment_id: int | None, kind: str, found: int
) -> None:
    choice = qr.resolve(_quizzes(), quiz_id=quiz_id, assignment_id=assignment_id).choice
    assert choice is not None
    assert (choice.kind, choice.id) == (kind, found)


@pytest.mark.parametrize(
    ("quiz_id", "assignment_id", "notice"),
    [
        (None, None, None),
        (999, None, qr.UNKNOWN_QUIZ),
        (301, None, qr.UNKNOWN_QUIZ),  # a New Quiz's id is no classic quiz id
        (None, 999, qr.UNKNOWN_ASSIGNMENT),
        (None, 320, qr.NOT_A_QUIZ),
    ],
)
def test_anything_else_opens_the_picker_saying_why(
    quiz_id: int | None, assignment_id: int | None, notice: str | None
) -> None:
    assert qr.resolve(_quizzes(), quiz_id=quiz_id, assignment_id=assignment_id) == qr.Resolution(
        None, notice
    )


def test_new_quiz_pages_resolve_classic_assignments_and_refuse_the_rest() -> None:
    assert qr.resolve_new_quiz(_quizzes(), 311).choice == qr.resolve(
        _quizzes(), quiz_id=201, assignment_id=None
    ).choice
    assert qr.resolve_new_quiz(_quizzes(), 320) == qr.Resolution(None, qr.UNKNOWN_NEW_QUIZ)
    assert qr.resolve_new_quiz(_quizzes(), 201) == qr.Resolution(None, qr.UNKNOWN_NEW_QUIZ)


def test_choices_are_most_recent_first_with_undated_last() -> None:
    rows = qr.choices(_quizzes())
    assert [(r.kind, r.id) for r in rows] == [
        ("new", 301),  # due 2026-10-01
        ("classic", 202),  # assignment created 2026-08-02
        ("classic", 201),  # assignment created 2026-08-01
        ("classic", 205),  # no date at all
    ]
    survey = rows[-1]
    assert (survey.allowed_attempts, survey.due_at, survey.created_at) == (-1, None, None)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("cell", [201]),
        ("BIOLOGY midterm", [201]),
        ("midterm cell", [201]),
        ("genétics", [301]),  # accents and case do not matter
        ("check quiz", []),
        ("", [301, 202, 201, 205]),
    ],
)
def test_search_matches_every_word_of_the_title(query: str, found: list[int]) -> None:
    assert [row.id for row in qr.search(qr.choices(_quizzes()), query)] == found


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("/course", True),
        ("/quiz?q=cell", True),
        ("/reports/quiz/201?reused=1", True),
        ("/insights/jobs/4", True),
        ("/courses", False),
        ("/lti/login", False),
        ("//evil.example/reports/", False),
        ("/reports//evil", False),
        ("/reports/\\evil", False),
        ("/reports/../lti/launch", False),
        ("/reports/%2E%2E/lti", False),
        ("/reports/x\r\nSet-Cookie: a=b", False),
        ("/reports/\u2028", False),
        ("https://evil.example/reports/", False),
        ("/reports/" + "a" * 3000, False),
    ],
)
def test_tool_page_paths(target: str, allowed: bool) -> None:
    assert is_tool_page_path(target) is allowed
