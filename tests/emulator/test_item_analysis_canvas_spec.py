"""The exact CSV Canvas's own spec expects (canvas-lms
``spec/models/quizzes/quiz_statistics/item_analysis_spec.rb``, "should generate a csv").

Answer key T D F A; six students answer ``T B T A``, ``T D F A``, ``F A T C``, ``T D F B``,
``T D F A`` and ``F D`` (the last leaves questions 3 and 4 blank); one point per question.
Matching Canvas digit for digit (``0.24000000000000005``, ``-0.09999999999999999``) checks the
summation order, Ruby float printing and nil cells, not just the formulas.
"""

from __future__ import annotations

import csv
import io

import pytest

from emulator.reports.item_analysis import (
    HEADER,
    cronbach_alpha,
    item_analysis_csv,
    item_attempts,
    item_questions,
    rank_buckets,
)
from emulator.reports.quiz_format import simple_variance
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission
from tests.emulator.quiz_helpers import T0

KEY = ["T", "D", "F", "A"]
SUBMISSIONS = [["T", "B", "T", "A"], ["T", "D", "F", "A"], ["F", "A", "T", "C"],
               ["T", "D", "F", "B"], ["T", "D", "F", "A"], ["F", "D"]]


def _quiz(key: list[str]) -> Quiz:
    questions = []
    for i, correct in enumerate(key):
        true_false = correct in ("T", "F")
        options = ["T", "F"] if true_false else ["A", "B", "C", "D"]
        answers = [Answer(4 * i + j, text, 100.0 if text == correct else 0.0, j)
                   for j, text in enumerate(options)]
        kind = "true_false_question" if true_false else "multiple_choice_question"
        questions.append(QuizQuestion(100 + i, 1, i + 1, kind, f"question {i + 1}",
                                      "Question text", 1.0, answers))
    return Quiz(id=1, course_id=1, title="Quiz", quiz_type="assignment", points_possible=4.0,
                created_at=T0, published_at=T0, questions=questions)


def _submissions(quiz: Quiz, answers: list[list[str]]) -> list[QuizSubmission]:
    subs = []
    for n, picks in enumerate(answers, start=1):
        responses = {}
        score = 0.0
        for question in quiz.questions:
            index = question.position - 1
            pick = picks[index] if index < len(picks) else None
            chosen = next((a for a in question.answers if a.text == pick), None)
            correct = chosen is not None and chosen.weight == 100.0
            score += 1.0 if correct else 0.0
            responses[question.id] = {"answer_id": chosen.id if chosen else None,
                                      "correct": correct, "points": 1.0 if correct else 0.0}
        subs.append(QuizSubmission(n, 1, 1000 + n, 1, T0, T0, T0, score, "complete", responses))
    return subs


def test_matches_canvas_spec_csv_exactly() -> None:
    quiz = _quiz(KEY)
    rows = list(csv.reader(io.StringIO(item_analysis_csv(quiz, _submissions(quiz, SUBMISSIONS)))))
    assert rows[0] == [*HEADER, "Point Biserial of Distractor 2",
                       "Point Biserial of Distractor 3", "Point Biserial of Distractor 4"]
    assert rows[1] == ["100", "Question text", "6", "2", "2", "2", "4", "4", "2",
                       "0.6666666666666666", "0.3333333333333333", "2", "2", "0",
                       "0.22222222222222224", "0.4714045207910317", "0.6666666666666666", "N/A",
                       "0.8696263565463043", "-0.8696263565463043", "", ""]
    assert rows[2] == ["101", "Question text", "6", "2", "2", "2", "4", "4", "2",
                       "0.6666666666666666", "0.3333333333333333", "2", "1", "1",
                       "0.22222222222222224", "0.4714045207910317", "0.6666666666666666", "N/A",
                       "0.6324555320336759", "-0.7", "-0.09999999999999999", ""]
    assert rows[3] == ["102", "Question text", "5", "2", "2", "1", "4", "3", "2", "0.6", "0.4",
                       "2", "1", "0", "0.24000000000000005", "0.48989794855663565", "0.6", "N/A",
                       "0.8728715609439694", "-0.8728715609439694", "", ""]
    assert rows[4] == ["103", "Question text", "5", "2", "2", "1", "4", "3", "2", "0.6", "0.4",
                       "2", "1", "0", "0.24000000000000005", "0.48989794855663565", "0.6", "N/A",
                       "0.6000991981489792", "0.13363062095621223", "-0.8685990362153794", ""]
    assert len(rows) == 5


# ---------------------------------------------------------------- summary_spec.rb


def _simple(key: list[str], *answers: list[str]) -> tuple[Quiz, list[QuizSubmission]]:
    """``simple_quiz_with_submissions`` of the Canvas specs."""
    quiz = _quiz(key)
    return quiz, _submissions(quiz, list(answers))


def test_alpha_and_variance_match_r_like_canvas_spec() -> None:
    # summary_spec.rb: key T T A; TTA, TTB, TFB, TFB -> alpha 0.545 (R's cronbach.alpha),
    # population variance of totals (3, 2, 1, 1) = 0.6875.
    quiz, subs = _simple(["T", "T", "A"], ["T", "T", "A"], ["T", "T", "B"], ["T", "F", "B"],
                         ["T", "F", "B"])
    attempts = item_attempts(subs)
    assert cronbach_alpha(item_questions(quiz), attempts) == pytest.approx(0.545, abs=0.01)
    assert simple_variance([a.score for a in attempts]) == pytest.approx(0.6875)


def test_alpha_is_nil_when_total_variance_is_zero() -> None:
    quiz, subs = _simple(["T", "T", "F"], *[["T", "T", "T"]] * 4)
    assert cronbach_alpha(item_questions(quiz), item_attempts(subs)) is None


def test_buckets_like_canvas_spec() -> None:
    # "with distributed submissions": roughly 27 / 46 / 27 %.
    _, subs = _simple(["T", "T", "A"], ["T", "T", "A"], ["T", "T", "A"], ["T", "T", "B"],
                      ["T", "F", "B"], ["T", "F", "B"], ["F", "T", "C"], ["F", "T", "D"],
                      ["F", "T", "B"], ["F", "F", "B"], ["F", "F", "C"], ["F", "F", "D"])
    buckets = rank_buckets({a.respondent_id: a.score for a in item_attempts(subs)})
    sizes = [len(buckets[name]) / 11 for name in ("top", "middle", "bottom")]
    assert sizes == pytest.approx([0.27, 0.46, 0.27], abs=0.06)
    # "with tied submissions" and cut-offs 0.75 / 0.25: non-ties would give 1, 2, 1.
    _, subs = _simple(["T", "T", "A"], ["T", "T", "A"], ["T", "T", "A"], ["F", "F", "B"],
                      ["F", "F", "B"])
    tied = rank_buckets({a.respondent_id: a.score for a in item_attempts(subs)},
                        (("top", 0.75), ("middle", 0.25), ("bottom", 0.0)))
    assert [len(tied[n]) for n in ("top", "middle", "bottom")] == [2, 2, 0]
    # "with perfect submissions": everybody on top.
    _, subs = _simple(["T", "T", "A"], ["T", "T", "A"], ["T", "T", "A"])
    perfect = rank_buckets({a.respondent_id: a.score for a in item_attempts(subs)})
    assert [len(perfect[n]) for n in ("top", "middle", "bottom")] == [2, 0, 0]
