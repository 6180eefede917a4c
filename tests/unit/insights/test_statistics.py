"""Every statistic against values computed by hand on tiny quizzes (docs/insights.md)."""

from __future__ import annotations

import math

import pytest

from app.insights.analysis import QuizInsights, analyse
from app.insights.parse import parse_report
from app.insights.table import ResponseTable
from tests.unit.insights.reports import Attempt, QuizSpec, dichotomous, student_analysis_csv

# Four students, three 1-point items (a Guttman pattern), answers with distractors:
#   S1 A T X -> 1 1 1 = 3     S2 A T Y -> 1 1 0 = 2
#   S3 A F Y -> 1 0 0 = 1     S4 B F Z -> 0 0 0 = 0
GUTTMAN = dichotomous(
    [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]],
    keys=["A", "T", "X"],
    choices=[["A", "T", "X"], ["A", "T", "Y"], ["A", "F", "Y"], ["B", "F", "Z"]],
)


def _table(spec: QuizSpec) -> ResponseTable:
    parsed = parse_report(student_analysis_csv(spec))
    assert isinstance(parsed, ResponseTable)
    return parsed


@pytest.fixture(scope="module")
def guttman() -> QuizInsights:
    return analyse(_table(GUTTMAN))


def test_score_summary_matches_hand_values(guttman: QuizInsights) -> None:
    s = guttman.scores
    assert (s.count, s.mean, s.median, s.minimum, s.maximum) == (4, 1.5, 1.5, 0.0, 3.0)
    assert s.sd == pytest.approx(math.sqrt(1.25))  # population SD
    assert [(b.label, b.count) for b in s.histogram] == [("0", 1), ("1", 1), ("2", 1), ("3", 1)]


def test_alpha_is_kr20_with_feldt_interval_and_sem(guttman: QuizInsights) -> None:
    r = guttman.reliability
    # item variances 3/16 + 1/4 + 3/16 = 5/8, total variance 5/4: alpha = 3/2 * (1 - 1/2)
    assert r.alpha == pytest.approx(0.75)
    assert r.is_kr20
    # Feldt: F(3, 6) quantiles 6.5988 (97.5 %) and 1/14.735 (2.5 %), from printed F tables
    assert r.ci_low == pytest.approx(1 - 0.25 * 6.5988, abs=1e-3)
    assert r.ci_high == pytest.approx(1 - 0.25 / 14.735, abs=1e-4)
    assert r.sem == pytest.approx(math.sqrt(1.25) * 0.5)
    assert guttman.canvas_alpha == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        # (difficulty, D, point-biserial, item-rest r, alpha if deleted)
        # pb = (M1 - M0) / SD * sqrt(pq): (2 - 0) / sqrt(5/4) * sqrt(3/16) = sqrt(3/5)
        (0, (0.75, 1.0, math.sqrt(3 / 5), math.sqrt(3 / 11), 8 / 11)),
        (1, (0.50, 1.0, 2 / math.sqrt(5), 1 / math.sqrt(2), 0.5)),
        (2, (0.25, 1.0, math.sqrt(3 / 5), math.sqrt(3 / 11), 8 / 11)),
    ],
)
def test_item_statistics_match_hand_values(
    guttman: QuizInsights, item: int, expected: tuple[float, ...]
) -> None:
    stats = guttman.items[item].stats
    actual = (
        stats.difficulty,
        stats.discrimination,
        stats.point_biserial,
        stats.item_rest,
        stats.alpha_if_deleted,
    )
    assert actual == pytest.approx(expected)
    # Canvas's groups for scores 0,1,2,3: top = {3}, middle = {1, 2}, bottom = {0}
    assert (stats.top_respondents, stats.middle_respondents, stats.bottom_respondents) == (1, 2, 1)


def test_distractors_are_counted_by_group_with_canvas_point_biserials(
    guttman: QuizInsights,
) -> None:
    options = {o.text: o for o in guttman.items[2].stats.options}
    assert [o.text for o in guttman.items[2].stats.options] == ["X", "Y", "Z"]
    assert options["X"].correct
    assert not options["Y"].correct
    assert (options["Y"].top, options["Y"].middle, options["Y"].bottom) == (0, 2, 0)
    assert (options["Z"].top, options["Z"].middle, options["Z"].bottom) == (0, 0, 1)
    # Y: chosen by scores 2 and 1 (mean 1.5), others 3 and 0 (mean 1.5) -> 0
    assert options["Y"].point_biserial == pytest.approx(0.0)
    # Z: (0 - 2) / sqrt(5/4) * sqrt(3/16)
    assert options["Z"].point_biserial == pytest.approx(-math.sqrt(3 / 5))
    assert options["X"].point_biserial == pytest.approx(guttman.items[2].stats.point_biserial)


def test_blank_answers_are_not_respondents_as_in_canvas() -> None:
    # One item; the score column comes from other questions: 10, 8, 6 (blank), 4, 2.
    spec = QuizSpec(
        [(1, "Q", 1.0)],
        [
            Attempt(["A"], [1.0], score=10),
            Attempt(["A"], [1.0], score=8),
            Attempt([""], [0.0], score=6),
            Attempt(["B"], [0.0], score=4),
            Attempt(["A"], [1.0], score=2),
        ],
    )
    stats = analyse(_table(spec)).items[0].stats
    assert (stats.respondents, stats.blank, stats.not_shown) == (4, 1, 0)
    assert stats.difficulty == pytest.approx(0.75)
    # respondents' scores 10, 8, 4, 2: SD sqrt(10); correct mean 20/3, other 4; p = 3/4
    assert stats.point_biserial == pytest.approx(2 * math.sqrt(3) / (3 * math.sqrt(10)))
    # groups over all five scores: top {10}, middle {4, 6, 8}, bottom {2}
    assert (stats.top_respondents, stats.middle_respondents, stats.bottom_respondents) == (1, 2, 1)
    assert stats.discrimination == pytest.approx(0.0)


def test_questions_not_shown_are_counted_apart_from_blanks() -> None:
    spec = QuizSpec(
        [(1, "Q1", 1.0), (2, "Q2", 1.0)],
        [
            Attempt(["A", None], [1.0, None]),
            Attempt(["B", "C"], [0.0, 1.0]),
            Attempt(["A", ""], [1.0, 0.0]),
        ],
    )
    stats = analyse(_table(spec)).items[1].stats
    assert (stats.respondents, stats.blank, stats.not_shown) == (1, 1, 1)


def test_partial_credit_item_uses_mean_score_and_pearson() -> None:
    spec = QuizSpec(
        [(1, "Partial", 1.0)],
        [
            Attempt(["a,b"], [1.0], score=3),
            Attempt(["a"], [0.5], score=2),
            Attempt(["c"], [0.0], score=1),
            Attempt(["d"], [0.0], score=0),
        ],
    )
    insights = analyse(_table(spec))
    stats = insights.items[0].stats
    assert not stats.dichotomous
    assert stats.difficulty == pytest.approx(0.375)
    # cov = 1 - 0.375 * 1.5 = 0.4375; var x = 0.171875; var score = 1.25
    assert stats.point_biserial == pytest.approx(0.4375 / math.sqrt(0.171875 * 1.25))
    assert not insights.reliability.is_kr20
    assert [o.text for o in stats.options if o.correct] == ["a,b"]


def test_alpha_needs_two_items_and_spread() -> None:
    one_item = QuizSpec([(1, "Q", 1.0)], [Attempt(["A"], [1.0]), Attempt(["B"], [0.0])])
    assert analyse(_table(one_item)).reliability.alpha is None
    flat = dichotomous([[1, 1], [1, 1], [1, 1]], ["A", "A"], [["A", "A"]] * 3)
    result = analyse(_table(flat))
    assert result.reliability.alpha is None
    assert result.reliability.sem is None
    assert result.items[0].stats.item_rest is None


def test_no_attempts_gives_empty_statistics() -> None:
    insights = analyse(_table(QuizSpec([(1, "Q", 1.0)], [])))
    assert insights.attempts == 0
    assert insights.scores.mean is None
    assert insights.items[0].stats.difficulty is None
    assert insights.items[0].flags[0].code == "no_responses"


def test_a_blank_that_earned_points_is_still_not_a_respondent() -> None:
    # e.g. an essay left empty but graded by hand: Canvas still counts no answer
    spec = QuizSpec(
        [(1, "Essay", 2.0)],
        [
            Attempt(["long text"], [2.0], score=9),
            Attempt([""], [1.0], score=7),
            Attempt(["short"], [0.0], score=3),
        ],
    )
    stats = analyse(_table(spec)).items[0].stats
    assert (stats.respondents, stats.blank) == (2, 1)
    assert stats.difficulty == pytest.approx(0.5)  # (2 + 0) / 2 respondents / 2 points
    assert stats.dichotomous
    # respondents' scores 9 and 3: SD 3; the full-credit one is 6 above the other; p = 1/2
    assert stats.point_biserial == pytest.approx(1.0)
    assert stats.matrix_variance == pytest.approx(2 / 3)  # over all three attempts: 2, 1, 0


def test_half_split_leaves_no_middle_group(guttman: QuizInsights) -> None:
    halves = analyse(_table(GUTTMAN), split=0.5)
    stats = halves.items[1].stats
    # scores 0,1,2,3 in halves: top {2, 3}, bottom {0, 1}; item 2 is right for 3 and 2
    assert (stats.top_respondents, stats.middle_respondents, stats.bottom_respondents) == (2, 0, 2)
    assert stats.discrimination == pytest.approx(1.0)
    assert halves.split == 0.5
