"""Quiz 202 (every classic question type) and the anonymous survey 205."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from emulator.seed_quizzes.attempts import (
    abilities,
    course_students,
    logistic,
    mc_response,
    moment,
    record_attempt,
)
from emulator.seed_quizzes.specs import MC, TF
from emulator.store import Answer, Attachment, Quiz, QuizQuestion, Store


def _answers(qid: int, rows: Sequence[tuple[str, float, dict[str, Any]]]) -> list[Answer]:
    return [Answer(id=qid * 10 + i + 1, text=text, weight=weight, position=i + 1, extra=extra)
            for i, (text, weight, extra) in enumerate(rows)]


def mixed_questions(quiz_id: int) -> list[QuizQuestion]:
    """One question of every classic type (quiz 202)."""
    def q(n: int, kind: str, text: str, points: float, answers: list[Answer], *,
          extra: dict[str, Any] | None = None) -> QuizQuestion:
        return QuizQuestion(id=quiz_id * 100 + n, quiz_id=quiz_id, position=n,
                            question_type=kind, question_name=f"Question {n}",
                            question_text=text, points_possible=points, answers=answers,
                            extra=extra or {})

    b = quiz_id * 100
    return [
        q(1, MC, "<p>Which base pairs with adenine in DNA?</p>", 2.0,
          _answers(b + 1, [("Thymine", 100, {}), ("Guanine", 0, {}), ("Cytosine", 0, {}),
                           ("Uracil", 0, {})])),
        q(2, TF, "<p>Enzymes are consumed by the reactions they catalyse.</p>", 1.0,
          _answers(b + 2, [("True", 0, {}), ("False", 100, {})])),
        q(3, "short_answer_question", "<p>Name the process plants use to make glucose.</p>",
          2.0, _answers(b + 3, [("photosynthesis", 100, {}), ("Photosynthesis", 100, {})])),
        q(4, "fill_in_multiple_blanks_question",
          "<p>Roses are [color1], violets are [color2].</p>", 2.0,
          _answers(b + 4, [("red", 100, {"blank_id": "color1"}),
                           ("blue", 100, {"blank_id": "color2"})])),
        q(5, "multiple_answers_question", "<p>Which are <strong>prime</strong> numbers?</p>",
          2.0, _answers(b + 5, [("2", 100, {}), ("3", 100, {}), ("4", 0, {}),
                                ("9, squared", 0, {})])),
        q(6, "multiple_dropdowns_question",
          "<p>The [organ] pumps blood; the [gas] we exhale is CO2.</p>", 2.0,
          _answers(b + 6, [("heart", 100, {"blank_id": "organ"}),
                           ("liver", 0, {"blank_id": "organ"}),
                           ("carbon dioxide", 100, {"blank_id": "gas"}),
                           ("oxygen", 0, {"blank_id": "gas"})])),
        q(7, "matching_question", "<p>Match each organelle to its function.</p>", 3.0,
          _answers(b + 7, [("Ribosome", 100, {"right": "Protein synthesis", "match_id": 71}),
                           ("Mitochondrion", 100, {"right": "ATP => energy", "match_id": 72}),
                           ("Nucleus", 100, {"right": "Stores DNA, mostly", "match_id": 73})]),
          extra={"matches": [{"match_id": 71, "text": "Protein synthesis"},
                       {"match_id": 72, "text": "ATP => energy"},
                       {"match_id": 73, "text": "Stores DNA, mostly"},
                       {"match_id": 74, "text": "Photosynthesis"}]}),
        q(8, "numerical_question", "<p>What is the value of &pi; to two decimals?</p>", 2.0,
          _answers(b + 8, [("3.14", 100, {"numerical_answer_type": "exact_answer",
                                          "exact": 3.14, "margin": 0.005})])),
        q(9, "calculated_question", "<p>A cell divides every [t] hours. How many cells "
          "after [n] divisions starting from one?</p>", 2.0,
          _answers(b + 9, [("16.0", 100, {"variables": [{"name": "t", "value": 2.5},
                                                         {"name": "n", "value": 4}],
                                           "answer": 16.0})]),
          extra={"formulas": [{"formula": "2**n"}]}),
        q(10, "essay_question", "<p>Explain, in your own words, why cells are small.</p>",
          5.0, []),
        q(11, "file_upload_question", "<p>Upload your lab diagram.</p>", 3.0, []),
        q(12, "text_only_question", "<p>The last part is about the lab session.</p>", 0.0, []),
    ]


ESSAYS = (
    "<p>Small cells have a larger <strong>surface area to volume</strong> ratio.</p>",
    "<p>Because diffusion is slow over long distances.</p><p>Nutrients must reach the "
    "centre quickly.</p>",
    "<p>Cells stay small so that exchange with the outside is efficient, e.g. oxygen.</p>",
    "<p>I am not sure.</p>",
)


def _partial(points: float, right: int, total: int) -> tuple[float, bool | str]:
    earned = round(points * max(right, 0) / total, 2)
    if right >= total:
        return points, True
    return earned, ("partial" if earned > 0 else False)


def _mixed_response(rng: random.Random, question: QuizQuestion, theta: float,
                    upload_names: list[str]) -> dict[str, Any]:
    kind = question.question_type
    pts = question.points_possible
    good = logistic(1.6 * theta + 0.6)
    base: dict[str, Any] = {"question_id": question.id}
    if kind in (MC, TF):
        key = next(a for a in question.answers if a.weight == 100)
        pick = key if rng.random() < good else rng.choice(
            [a for a in question.answers if a.weight != 100])
        return mc_response(question, pick.id)
    if kind == "short_answer_question":
        typed = rng.choice(["photosynthesis", "Photosynthesis"]) if rng.random() < good else \
            rng.choice(["respiration", "fermentation", ""])
        match = next((a for a in question.answers if a.text == typed), None)
        return {**base, "text": typed, "answer_id": match.id if match else None,
                "correct": match is not None, "points": pts if match else 0.0}
    if kind == "fill_in_multiple_blanks_question":
        one = "red" if rng.random() < good else rng.choice(["crimson", "pink, maybe"])
        two = "blue" if rng.random() < good else rng.choice(["violet", ""])
        right = int(one == "red") + int(two == "blue")
        points, correct = _partial(pts, right, 2)
        return {**base, "answer_for_color1": one, "answer_for_color2": two,
                "text": "", "correct": correct, "points": points}
    if kind == "multiple_answers_question":
        picks = {a.id: (rng.random() < good) == (a.weight == 100) for a in question.answers}
        right = sum(1 for a in question.answers if picks[a.id] and a.weight == 100)
        extra = sum(1 for a in question.answers if picks[a.id] and a.weight != 100)
        points, correct = _partial(pts, right - extra, 2)
        return {**base, **{f"answer_{aid}": "1" if on else "0" for aid, on in picks.items()},
                "text": "", "correct": correct, "points": points}
    if kind == "multiple_dropdowns_question":
        organ = question.answers[0 if rng.random() < good else 1]
        gas = question.answers[2 if rng.random() < good else 3]
        right = int(organ.weight == 100) + int(gas.weight == 100)
        points, correct = _partial(pts, right, 2)
        return {**base, "answer_for_organ": organ.id, "answer_for_gas": gas.id, "text": "",
                "correct": correct, "points": points}
    if kind == "matching_question":
        match_ids = [71, 72, 73, 74]
        matched: dict[int, int] = {}
        for answer in question.answers:
            own = answer.extra["match_id"]
            matched[answer.id] = own if rng.random() < good else rng.choice(match_ids)
        right = sum(1 for a in question.answers if matched[a.id] == a.extra["match_id"])
        points, correct = _partial(pts, right, len(question.answers))
        return {**base, **{f"answer_{aid}": str(m) for aid, m in matched.items()}, "text": "",
                "correct": correct, "points": points}
    if kind == "numerical_question":
        text = "3.14" if rng.random() < good else rng.choice(["3.1416", "3", "22/7"])
        ok = text in ("3.14", "3.1416")
        return {**base, "text": text, "correct": ok, "points": pts if ok else 0.0}
    if kind == "calculated_question":
        text = "16" if rng.random() < good else rng.choice(["8", "10", "32"])
        ok = text == "16"
        return {**base, "text": text, "correct": ok, "points": pts if ok else 0.0}
    if kind == "essay_question":
        if rng.random() < 0.25:  # not graded yet
            return {**base, "text": rng.choice(ESSAYS), "correct": "undefined", "points": 0.0}
        earned = float(min(pts, max(0, round(pts * good + rng.uniform(-1.5, 1.5)))))
        verdict: bool | str = True if earned == pts else ("partial" if earned else False)
        return {**base, "text": rng.choice(ESSAYS), "correct": verdict, "points": earned}
    if kind == "file_upload_question":
        if not upload_names:
            return {**base, "text": "", "attachment_ids": [], "correct": "undefined",
                    "points": 0.0}
        return {**base, "text": "", "attachment_ids": [upload_names.pop()],
                "correct": "undefined", "points": 0.0}
    return {**base, "text": "", "correct": "no_score", "points": 0.0}  # text only


def mixed_quiz(store: Store, rng: random.Random, quiz: Quiz) -> None:
    quiz.questions = mixed_questions(quiz.id)
    quiz.points_possible = sum(q.points_possible for q in quiz.questions)
    store.quizzes[quiz.id] = quiz
    students = course_students(store, quiz.course_id)
    ability = abilities(rng, students)
    for uid in students:
        if rng.random() > 0.85:
            continue
        start = moment(rng, datetime(2026, 10, 5, 9, tzinfo=UTC), 5)
        uploads: list[str] = []
        if rng.random() < 0.8:
            uploads.append(str(_upload(store, rng, uid, start).id))
        responses = {q.id: _mixed_response(rng, q, ability[uid], uploads)
                     for q in quiz.questions}
        state = "pending_review" if any(r.get("correct") == "undefined"
                                        for r in responses.values()) else "complete"
        record_attempt(store, quiz, uid, responses, start, minutes=rng.uniform(15, 45),
                       workflow_state=state, attempt=1)


def _upload(store: Store, rng: random.Random, user_id: int, at: datetime) -> Attachment:
    """A student's uploaded file (its display name appears in the Student Analysis)."""
    name = rng.choice(["lab-diagram", "cell drawing", "Diagram, final", "scan"])
    ext = rng.choice(["png", "pdf", "jpg"])
    attachment = Attachment(
        id=store.next_id("attachment"), uuid=f"{rng.getrandbits(160):040x}",
        context_type="User", context_id=user_id, display_name=f"{name}.{ext}",
        filename=f"{name.replace(' ', '_').replace(',', '')}.{ext}",
        content_type={"png": "image/png", "pdf": "application/pdf", "jpg": "image/jpeg"}[ext],
        data=b"seeded upload", created_at=at, user_id=user_id)
    store.attachments[attachment.id] = attachment
    return attachment


def survey_quiz(store: Store, rng: random.Random, quiz: Quiz) -> None:
    """An anonymous, ungraded survey: item analysis is not generatable for it."""
    b = quiz.id * 100
    quiz.questions = [
        QuizQuestion(b + 1, quiz.id, 1, MC, "Question 1", "<p>How clear were the lectures?</p>",
                     0.0, _answers(b + 1, [("Very clear", 100, {}), ("Mostly clear", 100, {}),
                                           ("Unclear", 100, {})])),
        QuizQuestion(b + 2, quiz.id, 2, "essay_question", "Question 2",
                     "<p>What should we change?</p>", 0.0, []),
    ]
    store.quizzes[quiz.id] = quiz
    for uid in course_students(store, quiz.course_id):
        if rng.random() > 0.6:
            continue
        pick = rng.choice(quiz.questions[0].answers)
        responses = {
            b + 1: {"question_id": b + 1, "answer_id": pick.id, "text": str(pick.id),
                    "correct": True, "points": 0.0},
            b + 2: {"question_id": b + 2, "text": rng.choice(
                ["<p>More examples, please.</p>", "<p>Nothing.</p>", ""]),
                "correct": "undefined", "points": 0.0},
        }
        record_attempt(store, quiz, uid, responses,
                       moment(rng, datetime(2026, 11, 2, 9, tzinfo=UTC), 4), minutes=4.0,
                       attempt=1)
