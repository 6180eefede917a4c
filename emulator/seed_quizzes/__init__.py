"""Seeded classic quizzes (201-205) and New Quizzes (assignments 301, 302) with submissions.

Called by ``emulator.seed.seed_store`` once courses and students exist. Students answer from
a latent ability (a two-parameter logistic item model), so the statistics mean something:
quiz 201 has easy and hard items, one flawed item whose distractor attracts strong students
(negative point biserial of the correct answer), and a distractor nobody picks. Everything is
derived from the seed ``rng`` and fixed dates, never from the wall clock.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.seed_quizzes.attempts import grade_choices, item_quiz, record_attempt
from emulator.seed_quizzes.mixed import mixed_quiz, survey_quiz
from emulator.seed_quizzes.new_quizzes import new_quiz
from emulator.seed_quizzes.specs import CELL_BIOLOGY, QUIZ_CREATED, RENAISSANCE, statistics_specs
from emulator.store import Assignment, Quiz, Store

__all__ = ["grade_choices", "record_attempt", "seed"]


def seed(store: Store, rng: random.Random, size: str) -> None:
    """Create quizzes 201-205 and New Quizzes 301/302 with their submissions."""
    base = rng.getrandbits(32)

    def sub_rng(tag: int) -> random.Random:
        return random.Random(base * 1000 + tag)

    def quiz(qid: int, course: int, title: str, **kw: Any) -> Quiz:
        assignment_id = kw.pop("assignment_id", None)
        created = QUIZ_CREATED + timedelta(days=qid - 201)
        kw.setdefault("quiz_type", "assignment")
        record = Quiz(id=qid, course_id=course, title=title, points_possible=0.0,
                      created_at=created, published_at=created + timedelta(hours=18),
                      assignment_id=assignment_id, **kw)
        if assignment_id is not None:
            store.assignments[assignment_id] = Assignment(
                id=assignment_id, course_id=course, name=title, points_possible=0.0,
                quiz_id=qid, created_at=created)
        return record

    midterm = quiz(201, 101, "Cell Biology Midterm", assignment_id=311, allowed_attempts=3)
    item_quiz(store, sub_rng(201), midterm, CELL_BIOLOGY, 5.0, retake_rate=0.6,
               opens=datetime(2026, 9, 14, 8, tzinfo=UTC), size=size)
    mixed = quiz(202, 101, "Mixed Question Types", assignment_id=312)
    mixed_quiz(store, sub_rng(202), mixed)
    final = quiz(203, 104, "Large Final", assignment_id=313, allowed_attempts=2)
    item_quiz(store, sub_rng(203), final, statistics_specs(sub_rng(2031)), 4.0,
               retake_rate=0.08, opens=datetime(2026, 11, 9, 8, tzinfo=UTC), size=size)
    renaissance = quiz(204, 103, "Renaissance Quiz", assignment_id=314)
    item_quiz(store, sub_rng(204), renaissance, RENAISSANCE, 2.5, retake_rate=0.0,
               opens=datetime(2026, 10, 1, 8, tzinfo=UTC), size=size)
    survey = quiz(205, 101, "Course Feedback Survey", quiz_type="survey",
                  anonymous_submissions=True)
    survey_quiz(store, sub_rng(205), survey)
    for assignment_id, course_id in ((301, 101), (302, 103)):
        new_quiz(store, sub_rng(assignment_id), assignment_id, course_id)
    for record in (midterm, mixed, final, renaissance):
        if record.assignment_id is not None:
            store.assignments[record.assignment_id].points_possible = record.points_possible
