"""Seeded quizzes: fixed ids, determinism, sizes, and statistics that mean something."""

from __future__ import annotations

import csv
import io
import random
import time
from collections import Counter

import pytest

from emulator import seed, seed_quizzes
from emulator.reports.item_analysis import item_analysis
from emulator.reports.quiz_statistics import student_ids
from emulator.store import Store

ALL_TYPES = {
    "multiple_choice_question", "true_false_question", "short_answer_question",
    "fill_in_multiple_blanks_question", "multiple_answers_question",
    "multiple_dropdowns_question", "matching_question", "numerical_question",
    "calculated_question", "essay_question", "file_upload_question", "text_only_question",
}


@pytest.fixture(scope="module")
def small() -> Store:
    store = Store()
    seed.seed_store(store, 42, "small")
    return store


def _snapshot(store: Store) -> list[tuple[object, ...]]:
    return [(s.id, s.quiz_id, s.user_id, s.attempt, s.score, s.finished_at, repr(s.responses))
            for s in sorted(store.quiz_submissions.values(), key=lambda s: s.id)]


def test_fixed_ids(small: Store) -> None:
    quizzes = small.quizzes
    assert (quizzes[201].course_id, quizzes[201].title) == (101, "Cell Biology Midterm")
    assert (quizzes[202].course_id, quizzes[202].title) == (101, "Mixed Question Types")
    assert (quizzes[203].course_id, quizzes[203].title) == (104, "Large Final")
    assert (quizzes[204].course_id, quizzes[204].title) == (103, "Renaissance Quiz")
    for assignment_id, course_id, name in ((301, 101, "Genetics Check"),
                                           (302, 103, "Baroque Check")):
        assignment = small.assignments[assignment_id]
        assert (assignment.course_id, assignment.name) == (course_id, name)
        assert assignment.is_quiz_lti_assignment
        assert assignment.new_quiz_questions
        assert assignment.new_quiz_submissions


def test_midterm_has_twenty_choice_items_and_multiple_attempts(small: Store) -> None:
    quiz = small.quizzes[201]
    assert len(quiz.questions) == 20
    assert {q.question_type for q in quiz.questions} == {"multiple_choice_question",
                                                         "true_false_question"}
    for question in quiz.questions:
        assert sorted(a.weight for a in question.answers)[-1] == 100.0
    subs = [s for s in small.quiz_submissions.values() if s.quiz_id == 201]
    assert 45 <= len(subs) <= 80
    attempts = Counter(s.user_id for s in subs)
    assert max(attempts.values()) >= 2


def test_mixed_quiz_has_every_type_with_responses(small: Store) -> None:
    quiz = small.quizzes[202]
    assert {q.question_type for q in quiz.questions} == ALL_TYPES
    subs = [s for s in small.quiz_submissions.values() if s.quiz_id == 202]
    assert subs
    for question in quiz.questions:
        assert all(question.id in s.responses for s in subs)


def test_large_final_sizes() -> None:
    small = Store()
    seed.seed_store(small, 7, "small")
    demo = Store()
    seed.seed_store(demo, 7, "demo")
    count_small = sum(1 for s in small.quiz_submissions.values() if s.quiz_id == 203)
    count_demo = sum(1 for s in demo.quiz_submissions.values() if s.quiz_id == 203)
    assert 100 <= count_small <= 150
    assert count_demo > 1000


def test_deterministic_for_a_seed() -> None:
    one, two, other = Store(), Store(), Store()
    seed.seed_store(one, 42, "small")
    seed.seed_store(two, 42, "small")
    seed.seed_store(other, 43, "small")
    assert _snapshot(one) == _snapshot(two)
    assert _snapshot(one) != _snapshot(other)


def test_small_quiz_seeding_is_fast(small: Store) -> None:
    store = Store()
    seed.seed_store(store, 42, "small")
    store.quizzes.clear()
    store.quiz_submissions.clear()
    store.assignments.clear()
    started = time.perf_counter()
    seed_quizzes.seed(store, random.Random(42), "small")
    assert time.perf_counter() - started < 0.1  # ~20-30 ms; generous for a loaded machine


def test_item_statistics_are_meaningful(small: Store) -> None:
    quiz = small.quizzes[201]
    students = student_ids(small, 101)
    subs = [s for s in small.quiz_submissions.values()
            if s.quiz_id == 201 and s.user_id in students]
    rows = {row.question_id: row for row in item_analysis(quiz, subs).rows}
    difficulties = [row.difficulty_index for row in rows.values()]
    assert min(difficulties) < 0.3  # hard items
    assert max(difficulties) > 0.8  # easy items
    flawed = rows[20107]  # glycolysis: "Mitochondrial matrix" lures strong students
    correct_pb, lure_pb = flawed.point_biserials[0], flawed.point_biserials[1]
    assert correct_pb is not None
    assert lure_pb is not None
    assert correct_pb < 0 < lure_pb
    ignored = rows[20108]  # "Centriole": nobody picks it, so its point biserial is blank
    assert ignored.point_biserials[-1] is None
    text = item_analysis(quiz, subs).to_csv()
    alpha = next(csv.reader(io.StringIO(text.splitlines()[1])))[17]
    assert alpha != "N/A"
    assert 0.5 < float(alpha) < 1.0
