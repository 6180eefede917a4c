"""Item Analysis statistics against values computed by hand (reports-api.md §3.7).

Dataset (two items, five students; total scores are given, not derived from the items):

| student | score | item A (a1 correct, a2, a3) | item B (b2 "False" correct, b1 "True") |
| 1 | 10 | a1 | b2 |
| 2 |  8 | a1 | b1 |
| 3 |  6 | a2 | b2 |
| 4 |  4 | a2 | blank |
| 5 |  2 | a3 | b1 |

Buckets (n = 5): top floor round(3.65) = 4 -> {1}; middle floor round(1.35) = 1 -> {2, 3, 4};
bottom -> {5}.

Item A: respondents 5, correct {1, 2}: ratio 0.4; item scores [1,1,0,0,0] -> population
variance 0.24, SD sqrt(0.24) = 0.4898979485566356. SD of the respondents' totals
(10, 8, 6, 4, 2) = sqrt(8). Point biserials: a1 (9 - 4)/sqrt(8) * sqrt(.4*.6) = sqrt(3)/2;
a2 (5 - 20/3)/sqrt(8) * sqrt(.24) = -sqrt(3)/6; a3 (2 - 7)/sqrt(8) * sqrt(.2*.8) = -sqrt(2)/2.

Item B: respondents 4 (student 4 left it blank), correct {1, 3}: ratio 0.5; variance 0.25;
totals (10, 8, 6, 2) have SD sqrt(8.75); b2: (8 - 5)/sqrt(8.75) * 0.5 = 0.50709255283711;
b1 the negative.
"""

from __future__ import annotations

import csv
import io
import math

import pytest

from emulator.reports.item_analysis import (
    HEADER,
    ItemAttempt,
    ItemQuestion,
    analyse,
    item_analysis_csv,
    rank_buckets,
)
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission
from tests.emulator.quiz_helpers import T0, mc_question

ITEM_A = ItemQuestion(1, 1, "multiple_choice_question", "<p>Question A</p>", 1.0,
                      ((11, 100.0), (12, 0.0), (13, 0.0)))
ITEM_B = ItemQuestion(2, 2, "true_false_question", "Question B", 1.0,
                      ((21, 0.0), (22, 100.0)))
ATTEMPTS = [
    ItemAttempt(1, 10.0, {1: 11, 2: 22}),
    ItemAttempt(2, 8.0, {1: 11, 2: 21}),
    ItemAttempt(3, 6.0, {1: 12, 2: 22}),
    ItemAttempt(4, 4.0, {1: 12, 2: None}),
    ItemAttempt(5, 2.0, {1: 13, 2: 21}),
]


def test_counts_ratios_and_buckets_match_the_hand_computation() -> None:
    analysis = analyse([ITEM_A, ITEM_B], ATTEMPTS)
    assert analysis.buckets == {"top": (1,), "middle": (4, 3, 2), "bottom": (5,)}
    a, b = analysis.rows
    assert (a.answered, a.top, a.middle, a.bottom) == (5, 1, 3, 1)
    assert (a.correct, a.wrong, a.correct_top, a.correct_middle, a.correct_bottom) == (
        2, 3, 1, 1, 0)
    assert a.correct_ratio == pytest.approx(0.4)
    assert a.wrong_ratio == pytest.approx(0.6)
    assert a.difficulty_index == pytest.approx(0.4)
    assert (b.answered, b.top, b.middle, b.bottom) == (4, 1, 2, 1)
    assert (b.correct, b.wrong, b.correct_top, b.correct_middle, b.correct_bottom) == (
        2, 2, 1, 1, 0)
    assert a.question_count == b.question_count == 2


def test_population_variance_and_standard_deviation() -> None:
    a, b = analyse([ITEM_A, ITEM_B], ATTEMPTS).rows
    assert a.variance == pytest.approx(0.24)
    assert a.standard_deviation == pytest.approx(0.4898979485566356)
    assert b.variance == pytest.approx(0.25)
    assert b.standard_deviation == pytest.approx(0.5)


def test_point_biserials_correct_first_then_distractors() -> None:
    a, b = analyse([ITEM_A, ITEM_B], ATTEMPTS).rows
    assert a.point_biserials == pytest.approx(
        (math.sqrt(3) / 2, -math.sqrt(3) / 6, -math.sqrt(2) / 2))
    # Item B's answers are re-ordered by weight: "False" (22) is the correct one.
    assert b.point_biserials == pytest.approx((0.50709255283711, -0.50709255283711))


def test_alpha_is_not_printed_up_to_fifteen_items() -> None:
    analysis = analyse([ITEM_A, ITEM_B], ATTEMPTS)
    assert analysis.alpha is None
    rows = list(csv.reader(io.StringIO(analysis.to_csv())))
    assert {row[17] for row in rows[1:]} == {"N/A"}


def _tf_items(count: int) -> list[ItemQuestion]:
    return [ItemQuestion(100 + n, n + 1, "true_false_question", f"Item {n}", 1.0,
                         ((1000 + 2 * n, 100.0), (1001 + 2 * n, 0.0)))
            for n in range(count)]


def test_alpha_with_sixteen_items_is_cronbachs() -> None:
    # Student 1 right on all 16, student 2 on items 1-8, student 3 on none.
    # Item variances are all 2/9; total scores 16, 8, 0 have variance 128/3:
    # alpha = 16/15 * (1 - (16 * 2/9) / (128/3)) = 0.9777...
    items = _tf_items(16)

    def attempt(rid: int, right: int) -> ItemAttempt:
        choices = {q.id: q.answers[0][0] if n < right else q.answers[1][0]
                   for n, q in enumerate(items)}
        return ItemAttempt(rid, float(right), choices)

    analysis = analyse(items, [attempt(1, 16), attempt(2, 8), attempt(3, 0)])
    assert analysis.alpha == pytest.approx(0.9777777777777777)
    assert {row.alpha for row in analysis.rows} == {analysis.alpha}


def test_alpha_needs_more_than_fifteen_items() -> None:
    items = _tf_items(15)
    attempts = [ItemAttempt(1, 15.0, {q.id: q.answers[0][0] for q in items}),
                ItemAttempt(2, 0.0, {q.id: q.answers[1][0] for q in items})]
    assert analyse(items, attempts).alpha is None


def test_alpha_is_na_when_total_scores_do_not_vary() -> None:
    items = _tf_items(16)
    same = {q.id: q.answers[0][0] for q in items}
    assert analyse(items, [ItemAttempt(1, 5.0, same), ItemAttempt(2, 5.0, same)]).alpha is None


@pytest.mark.parametrize(
    ("scores", "top", "middle", "bottom"),
    [
        # No ties: floors round(7.3) = 7 and round(2.7) = 3.
        ([1, 2, 2, 3, 4, 5, 6, 7, 8, 9], [7, 8, 9], [3, 4, 5, 6], [1, 2, 2]),
        # A tie across the 73rd percentile goes up into the top bucket.
        ([1, 2, 3, 4, 5, 6, 7, 7, 8, 9], [7, 7, 8, 9], [4, 5, 6], [1, 2, 3]),
        # A tie across the 27th percentile goes up into the middle bucket.
        ([1, 2, 3, 3, 4, 5, 6, 7, 8, 9], [7, 8, 9], [3, 3, 4, 5, 6], [1, 2]),
        # Everybody tied: everybody is "top".
        ([5, 5, 5, 5], [5, 5, 5, 5], [], []),
    ],
)
def test_buckets_top_73_bottom_27_ties_into_higher_bucket(
    scores: list[int], top: list[int], middle: list[int], bottom: list[int]
) -> None:
    by_id = {n: float(score) for n, score in enumerate(scores)}
    buckets = rank_buckets(by_id)
    assert sorted(by_id[i] for i in buckets["top"]) == top
    assert sorted(by_id[i] for i in buckets["middle"]) == middle
    assert sorted(by_id[i] for i in buckets["bottom"]) == bottom


def test_blank_answers_are_not_respondents_and_other_types_are_skipped() -> None:
    essay = ItemQuestion(3, 3, "essay_question", "Essay", 5.0, ())
    analysis = analyse([ITEM_A, essay], [ItemAttempt(1, 3.0, {1: None, 3: None}),
                                         ItemAttempt(2, 1.0, {1: 11})])
    assert [row.question_id for row in analysis.rows] == [1]
    (row,) = analysis.rows
    assert row.answered == 1
    # A point biserial needs both groups: with one respondent every value is blank.
    assert row.point_biserials == (None, None, None)


def test_single_score_spread_gives_nan_like_ruby() -> None:
    # Two respondents with identical totals: SD 0, Ruby prints NaN for 0.0/0.0.
    analysis = analyse([ITEM_A], [ItemAttempt(1, 4.0, {1: 11}), ItemAttempt(2, 4.0, {1: 12})])
    assert math.isnan(analysis.rows[0].point_biserials[0] or 0.0)
    assert ",NaN," in analysis.to_csv()


def test_rows_sorted_by_position_then_text_then_id() -> None:
    late = ItemQuestion(9, 1, "multiple_choice_question", "Alpha", 1.0, ((91, 100.0),))
    no_position = ItemQuestion(5, None, "multiple_choice_question", "Aardvark", 1.0,
                               ((51, 100.0),))
    analysis = analyse([no_position, ITEM_B, late, ITEM_A],
                       [ItemAttempt(1, 1.0, {1: 11, 2: 22, 5: 51, 9: 91})])
    # Position 1 twice: "Alpha" < "Question A"; no position sorts last (10000).
    assert [row.question_id for row in analysis.rows] == [9, 1, 2, 5]


def test_csv_header_and_row_format() -> None:
    text = analyse([ITEM_A, ITEM_B], ATTEMPTS).to_csv()
    lines = text.splitlines()
    assert lines[0] == ",".join(
        [*HEADER, "Point Biserial of Distractor 2", "Point Biserial of Distractor 3"])
    first = lines[1].split(",")
    assert first[:9] == ["1", "Question A", "5", "1", "3", "1", "2", "2", "3"]
    assert first[17] == "N/A"
    # Item B has one distractor: its third point-biserial cell is nil (empty).
    assert lines[2].endswith(",")
    assert text.endswith("\n")


def test_store_adapter_uses_each_students_first_submitted_attempt() -> None:
    question = mc_question(1, 1)
    quiz = Quiz(id=1, course_id=1, title="Q", quiz_type="assignment", points_possible=1.0,
                created_at=T0, published_at=T0, questions=[question])
    right, wrong = question.answers[0].id, question.answers[1].id

    def sub(sid: int, user: int | None, attempt: int, answer: int, *,
            state: str = "complete", score: float = 1.0) -> QuizSubmission:
        return QuizSubmission(sid, 1, user, attempt, T0, T0, T0, score, state,
                              {1: {"answer_id": answer}})

    subs = [sub(1, 7, 2, right), sub(2, 7, 1, wrong, score=0.0),  # first attempt: wrong
            sub(3, 8, 1, right, state="untaken"), sub(4, 8, 2, right),  # first submitted: 2
            sub(5, None, 1, wrong)]  # logged out: not a student
    rows = list(csv.reader(io.StringIO(item_analysis_csv(quiz, subs))))
    assert rows[1][2] == "2"  # answered
    assert rows[1][7] == "1"  # correct: only user 8


def test_answers_ordered_by_weight_then_position() -> None:
    question = QuizQuestion(1, 1, 1, "multiple_choice_question", "Q", "Q", 1.0, [
        Answer(11, "low", 0.0), Answer(12, "high", 100.0), Answer(13, "mid", 50.0)])
    quiz = Quiz(id=1, course_id=1, title="Q", quiz_type="assignment", points_possible=1.0,
                created_at=T0, published_at=T0, questions=[question])
    subs = [QuizSubmission(1, 1, 1, 1, T0, T0, T0, 1.0, "complete", {1: {"answer_id": 12}}),
            QuizSubmission(2, 1, 2, 1, T0, T0, T0, 0.0, "complete", {1: {"answer_id": 13}})]
    row = list(csv.reader(io.StringIO(item_analysis_csv(quiz, subs))))[1]
    assert row[7] == "1"  # "high" (weight 100) is the correct answer
    assert float(row[18]) > 0 > float(row[19])  # correct, then "mid" as first distractor
    assert row[20] == ""  # "low": nobody chose it
