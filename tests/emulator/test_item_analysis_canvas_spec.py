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

from emulator.reports.item_analysis import HEADER, item_analysis_csv
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission
from tests.emulator.quiz_helpers import T0

KEY = ["T", "D", "F", "A"]
SUBMISSIONS = [["T", "B", "T", "A"], ["T", "D", "F", "A"], ["F", "A", "T", "C"],
               ["T", "D", "F", "B"], ["T", "D", "F", "A"], ["F", "D"]]


def _quiz() -> Quiz:
    questions = []
    for i, correct in enumerate(KEY):
        true_false = correct in ("T", "F")
        options = ["T", "F"] if true_false else ["A", "B", "C", "D"]
        answers = [Answer(4 * i + j, text, 100.0 if text == correct else 0.0, j)
                   for j, text in enumerate(options)]
        kind = "true_false_question" if true_false else "multiple_choice_question"
        questions.append(QuizQuestion(100 + i, 1, i + 1, kind, f"question {i + 1}",
                                      "Question text", 1.0, answers))
    return Quiz(id=1, course_id=1, title="Quiz", quiz_type="assignment", points_possible=4.0,
                created_at=T0, published_at=T0, questions=questions)


def _submissions(quiz: Quiz) -> list[QuizSubmission]:
    subs = []
    for n, picks in enumerate(SUBMISSIONS, start=1):
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
    quiz = _quiz()
    rows = list(csv.reader(io.StringIO(item_analysis_csv(quiz, _submissions(quiz)))))
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
