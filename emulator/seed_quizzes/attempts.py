"""Simulated students: answers from a latent ability, graded attempts, item quizzes."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from emulator.seed_quizzes.specs import MC, SUBMISSION_ID_START, TAKE_RATE, TF, ItemSpec
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission, Store


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def question_from_spec(quiz_id: int, number: int, spec: ItemSpec, points: float) -> QuizQuestion:
    qid = quiz_id * 100 + number
    kind = TF if spec.options in (("True", "False"), ("False", "True")) else MC
    # Store answers in display order: the correct option at ``correct_position``.
    order = list(spec.options[1:])
    order.insert(min(spec.correct_position, len(order)), spec.options[0])
    if kind == TF:
        order = ["True", "False"]
    answers = [
        Answer(id=qid * 10 + i + 1, text=text, weight=100.0 if text == spec.options[0] else 0.0,
               position=i + 1)
        for i, text in enumerate(order)
    ]
    return QuizQuestion(id=qid, quiz_id=quiz_id, position=number, question_type=kind,
                        question_name=f"Question {number}", question_text=spec.text,
                        points_possible=points, answers=answers)


def find_answer_id(question: QuizQuestion, text: str) -> int:
    return next(a.id for a in question.answers if a.text == text)


def choose(rng: random.Random, spec: ItemSpec, ability: float) -> int | None:
    """Index into ``spec.options`` (0 = correct) or None for a blank."""
    if rng.random() < 0.015:
        return None
    if spec.flawed is not None:
        lure = logistic(3.5 * (ability - 0.2)) * 0.95
        if rng.random() < lure:
            return spec.flawed
    if rng.random() < logistic(spec.discrimination * 1.7 * (ability - spec.difficulty)):
        return 0
    weights = list(spec.distractor_weights) or [1.0] * (len(spec.options) - 1)
    weights += [1.0] * (len(spec.options) - 1 - len(weights))
    if spec.flawed is not None:
        weights[spec.flawed - 1] = 0.0
    if sum(weights) <= 0:
        return 0
    return 1 + rng.choices(range(len(weights)), weights=weights)[0]


def mc_response(question: QuizQuestion, answer_id: int | None) -> dict[str, Any]:
    chosen = next((a for a in question.answers if a.id == answer_id), None)
    correct = chosen is not None and chosen.weight == 100.0
    return {
        "question_id": question.id,
        "answer_id": answer_id,
        "text": str(answer_id) if answer_id is not None else "",
        "correct": correct,
        "points": question.points_possible if correct else 0.0,
    }


def grade_choices(quiz: Quiz, choices: Mapping[int, int | None]) -> dict[int, dict[str, Any]]:
    """Responses for a multiple-choice/true-false attempt (``question id -> answer id``)."""
    return {q.id: mc_response(q, choices.get(q.id)) for q in quiz.questions}


def record_attempt(store: Store, quiz: Quiz, user_id: int | None,
                   responses: dict[int, dict[str, Any]], started_at: datetime, *,
                   minutes: float = 20.0, workflow_state: str = "complete",
                   attempt: int | None = None) -> QuizSubmission:
    """Add one attempt (by default the user's next attempt number) — seed, tests, demos."""
    if attempt is None:
        previous = [s.attempt for s in store.quiz_submissions.values()
                    if s.quiz_id == quiz.id and s.user_id == user_id and user_id is not None]
        attempt = max(previous, default=0) + 1
    finished = started_at + timedelta(minutes=minutes)
    done = workflow_state in ("complete", "pending_review")
    submission = QuizSubmission(
        id=store.next_id("quiz_submission", SUBMISSION_ID_START), quiz_id=quiz.id,
        user_id=user_id, attempt=attempt, started_at=started_at,
        finished_at=finished if done else None, updated_at=finished if done else started_at,
        score=round(sum(float(r.get("points") or 0.0) for r in responses.values()), 2),
        workflow_state=workflow_state, responses=responses,
    )
    store.quiz_submissions[submission.id] = submission
    return submission


def course_students(store: Store, course_id: int) -> list[int]:
    return sorted({e.user_id for e in store.enrollments.values()
                   if e.course_id == course_id and e.type == "StudentEnrollment"
                   and e.workflow_state != "deleted"})


def abilities(rng: random.Random, users: Sequence[int]) -> dict[int, float]:
    return {uid: rng.gauss(0.0, 1.0) for uid in users}


def moment(rng: random.Random, start: datetime, days: float) -> datetime:
    return start + timedelta(seconds=rng.randint(0, int(days * 86400)))


# ---------------------------------------------------------------- item quizzes


def item_quiz(store: Store, rng: random.Random, quiz: Quiz, specs: Sequence[ItemSpec],
               points: float, *, retake_rate: float, opens: datetime, size: str) -> None:
    quiz.questions = [question_from_spec(quiz.id, n + 1, spec, points)
                      for n, spec in enumerate(specs)]
    quiz.points_possible = points * len(specs)
    store.quizzes[quiz.id] = quiz
    students = course_students(store, quiz.course_id)
    ability = abilities(rng, students)
    for uid in students:
        if rng.random() > TAKE_RATE[size]:
            continue
        attempts = 1
        if quiz.allowed_attempts != 1 and rng.random() < retake_rate:
            attempts += 1 + (rng.random() < 0.3)
        start = moment(rng, opens, 6)
        for attempt in range(attempts):
            theta = ability[uid] + 0.35 * attempt  # they learn between attempts
            choices = {}
            for question, spec in zip(quiz.questions, specs, strict=True):
                index = choose(rng, spec, theta)
                choices[question.id] = (None if index is None
                                        else find_answer_id(question, spec.options[index]))
            record_attempt(store, quiz, uid, grade_choices(quiz, choices), start,
                           minutes=rng.uniform(12, 55), attempt=attempt + 1)
            start += timedelta(hours=rng.uniform(3, 40))
    # A student who skipped it has an attempt in progress (never counted by the reports).
    taken = {s.user_id for s in store.quiz_submissions.values() if s.quiz_id == quiz.id}
    idle = [uid for uid in students if uid not in taken]
    if idle:
        record_attempt(store, quiz, idle[0], {}, opens + timedelta(days=7),
                       workflow_state="untaken", attempt=1)
