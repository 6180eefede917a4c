"""Which quiz a quiz/assignment-menu launch is about, and the quiz picker's list.

Canvas's LTI 1.3 menu launches do not name the selected item (lti-oauth.md 3.8), so the
launch may carry a quiz id, an assignment id or nothing. Everything here works on the
course's cached quiz lists (``overview.cached_course_quizzes``): resolving and listing cost
no Canvas call of their own.

- an assignment id resolves to its classic quiz when Canvas's assignment JSON has
  ``quiz_id`` (a classic quiz's assignment), to the New Quiz when it is a quiz LTI
  assignment, and to nothing otherwise;
- a quiz id resolves when it is one of the course's classic quizzes;
- anything else opens the picker, with a notice saying why when an id was given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.canvas.payloads import Assignment, Quiz
from app.i18n import N_
from app.reports.overview import CourseQuizzes

Kind = Literal["classic", "new"]

NOT_A_QUIZ = N_(
    "Canvas opened the tool from an assignment that is not a quiz. Choose a quiz below."
)
UNKNOWN_ASSIGNMENT = N_(
    "Canvas opened the tool from an assignment this course does not list for you (deleted, "
    "or not visible to you). Choose a quiz below."
)
UNKNOWN_QUIZ = N_(
    "The quiz Canvas named is not among this course's quizzes (deleted, or not visible to "
    "you). Choose a quiz below."
)
UNKNOWN_NEW_QUIZ = N_(
    "The New Quiz Canvas named is not among this course's quizzes (deleted, or not visible "
    "to you). Choose a quiz below."
)


@dataclass(frozen=True)
class QuizChoice:
    """One row of the picker: a classic quiz (``id`` = quiz id) or a New Quiz
    (``id`` = its assignment id)."""

    kind: Kind
    id: int
    title: str
    due_at: datetime | None
    published: bool | None
    allowed_attempts: int | None  # -1: unlimited; None: Canvas did not say
    created_at: datetime | None = None


@dataclass(frozen=True)
class Resolution:
    """The quiz to open, or None with the reason (an ``N_`` text) the picker shows."""

    choice: QuizChoice | None
    notice: str | None = None


def choices(quizzes: CourseQuizzes) -> list[QuizChoice]:
    """Classic quizzes and New Quizzes together, most recent first.

    "Recent" is the due date, else the creation date of the quiz's assignment; quizzes
    with neither come last, newest id first (Canvas ids grow with time).
    """
    by_assignment = {a.id: a for a in quizzes.quiz_assignments}
    rows = [_classic(quiz, by_assignment.get(quiz.assignment_id or -1)) for quiz in quizzes.classic]
    rows += [_new(assignment) for assignment in quizzes.new]
    return sorted(rows, key=_recency, reverse=True)


def _recency(choice: QuizChoice) -> tuple[int, float, int]:
    when = choice.due_at or choice.created_at
    return (1, when.timestamp(), choice.id) if when else (0, 0.0, choice.id)


def _classic(quiz: Quiz, assignment: Assignment | None) -> QuizChoice:
    return QuizChoice(
        kind="classic",
        id=quiz.id,
        title=quiz.title,
        due_at=quiz.due_at or (assignment.due_at if assignment else None),
        published=quiz.published,
        allowed_attempts=quiz.allowed_attempts,
        created_at=assignment.created_at if assignment else None,
    )


def _new(assignment: Assignment) -> QuizChoice:
    return QuizChoice(
        kind="new",
        id=assignment.id,
        title=assignment.name,
        due_at=assignment.due_at,
        published=assignment.published,
        allowed_attempts=None,  # a New Quiz's attempts live in its settings, not listed
        created_at=assignment.created_at,
    )


def _folded(text: str) -> str:
    """Case- and accent-insensitive form ("Biología" matches "biologia")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search(rows: Sequence[QuizChoice], query: str) -> list[QuizChoice]:
    """The rows whose title contains every word of ``query`` (any order, any case/accent)."""
    words = _folded(query).split()
    return [row for row in rows if all(word in _folded(row.title) for word in words)]


def resolve(
    quizzes: CourseQuizzes, *, quiz_id: int | None, assignment_id: int | None
) -> Resolution:
    """The quiz the ids name (the assignment id wins, as in ``app.lti.claims``)."""
    rows = choices(quizzes)
    if assignment_id is not None:
        return _by_assignment(quizzes, rows, assignment_id)
    if quiz_id is not None:
        return _by_quiz(rows, quiz_id)
    return Resolution(None)


def _find(rows: Sequence[QuizChoice], kind: Kind, number: int) -> QuizChoice | None:
    return next((row for row in rows if row.kind == kind and row.id == number), None)


def _by_quiz(rows: Sequence[QuizChoice], quiz_id: int) -> Resolution:
    found = _find(rows, "classic", quiz_id)
    return Resolution(found) if found else Resolution(None, UNKNOWN_QUIZ)


def _by_assignment(
    quizzes: CourseQuizzes, rows: Sequence[QuizChoice], assignment_id: int
) -> Resolution:
    new_quiz = _find(rows, "new", assignment_id)
    if new_quiz is not None:
        return Resolution(new_quiz)
    linked = next((a for a in quizzes.quiz_assignments if a.id == assignment_id), None)
    if linked is not None and linked.quiz_id is not None:
        classic = _find(rows, "classic", linked.quiz_id)
        return Resolution(classic) if classic else Resolution(None, UNKNOWN_QUIZ)
    if assignment_id in quizzes.other_assignment_ids:
        return Resolution(None, NOT_A_QUIZ)
    return Resolution(None, UNKNOWN_ASSIGNMENT)


def resolve_new_quiz(quizzes: CourseQuizzes, assignment_id: int) -> Resolution:
    """``/reports/new_quiz/<id>``: a New Quiz, or the classic quiz behind the assignment."""
    rows = choices(quizzes)
    resolved = _by_assignment(quizzes, rows, assignment_id)
    if resolved.choice is None and resolved.notice in (UNKNOWN_ASSIGNMENT, NOT_A_QUIZ):
        return Resolution(None, UNKNOWN_NEW_QUIZ)
    return resolved
