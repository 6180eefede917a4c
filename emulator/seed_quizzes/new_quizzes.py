"""New Quizzes 301 and 302 (quiz-LTI assignments) and their submissions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from emulator.seed_quizzes.attempts import (
    abilities,
    choose,
    course_students,
    find_answer_id,
    mc_response,
    moment,
    question_from_spec,
)
from emulator.seed_quizzes.mixed import ESSAYS
from emulator.seed_quizzes.specs import NEW_QUIZ_ITEMS, QUIZ_CREATED, SUBMISSION_ID_START
from emulator.store import Assignment, QuizQuestion, QuizSubmission, Store

NEW_QUIZ_INSTRUCTIONS = {
    301: "<p>A short check on Mendelian genetics. One attempt, no time limit.</p>",
    302: "<p>Painters and sculptors of the Baroque. One attempt.</p>",
}
NEW_QUIZ_DUE = {
    301: datetime(2026, 10, 23, 23, 59, tzinfo=UTC),
    302: datetime(2026, 10, 30, 23, 59, tzinfo=UTC),
}


def new_quiz(store: Store, rng: random.Random, assignment_id: int, course_id: int) -> None:
    name, specs = NEW_QUIZ_ITEMS[assignment_id]
    questions = [question_from_spec(assignment_id, n + 1, spec, 2.0)
                 for n, spec in enumerate(specs)]
    essay = QuizQuestion(assignment_id * 100 + len(specs) + 1, assignment_id, len(specs) + 1,
                         "essay_question", "Reflection", "<p>What surprised you?</p>", 4.0, [])
    questions.append(essay)
    assignment = Assignment(id=assignment_id, course_id=course_id, name=name,
                            points_possible=sum(q.points_possible for q in questions),
                            is_quiz_lti_assignment=True, created_at=QUIZ_CREATED,
                            new_quiz_questions=questions,
                            description=NEW_QUIZ_INSTRUCTIONS[assignment_id],
                            due_at=NEW_QUIZ_DUE[assignment_id])
    store.assignments[assignment_id] = assignment
    students = course_students(store, course_id)
    ability = abilities(rng, students)
    for uid in students:
        if rng.random() > 0.9:
            continue
        choices = {}
        for question, spec in zip(questions, specs, strict=False):
            index = choose(rng, spec, ability[uid])
            choices[question.id] = (None if index is None
                                    else find_answer_id(question, spec.options[index]))
        responses = {q.id: mc_response(q, choices.get(q.id)) for q in questions[:-1]}
        earned = float(rng.randint(0, 4))
        responses[essay.id] = {"question_id": essay.id, "text": rng.choice(ESSAYS),
                               "correct": True if earned == 4 else ("partial" if earned else False),
                               "points": earned}
        start = moment(rng, datetime(2026, 10, 12, 9, tzinfo=UTC), 5)
        minutes = rng.uniform(5, 25)
        finished = start + timedelta(minutes=minutes)
        assignment.new_quiz_submissions.append(QuizSubmission(
            id=store.next_id("quiz_submission", SUBMISSION_ID_START), quiz_id=assignment_id,
            user_id=uid, attempt=1, started_at=start, finished_at=finished, updated_at=finished,
            score=round(sum(float(r["points"]) for r in responses.values()), 2),
            responses=responses))
