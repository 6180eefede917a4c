"""Canvas's score groups (ties go up) and the attempt policies."""

from __future__ import annotations

import pytest

from app.insights.analysis import analyse
from app.insights.groups import BOTTOM, MIDDLE, TOP, group_bounds, ruby_round, score_groups
from app.insights.parse import parse_report
from app.insights.selection import UnknownSection, UnsupportedPolicy, select_rows
from app.insights.table import AttemptPolicy, ResponseTable
from tests.unit.insights.reports import Attempt, QuizSpec, student_analysis_csv


@pytest.mark.parametrize(
    ("value", "expected"), [(2.5, 3), (0.5, 1), (2.49, 2), (36.5, 37), (7.3, 7), (0.0, 0)]
)
def test_ruby_round_rounds_halves_up(value: float, expected: int) -> None:
    assert ruby_round(value) == expected


@pytest.mark.parametrize(
    ("ranked", "bounds"),
    [
        ([0, 1, 2, 3], (1, 3)),
        # n=10: top starts at round(7.3)=7, moves to 6 (tie at 3); middle at round(2.7)=3
        ([0, 1, 1, 2, 2, 2, 3, 3, 3, 3], (3, 6)),
        ([5, 5, 5, 5], (0, 0)),  # everybody tied: all in the top group
        ([1, 2], (1, 1)),  # n=2: top = round(1.46)=1, middle = round(0.54)=1 -> empty middle
        ([], (0, 0)),
    ],
)
def test_group_bounds_follow_canvas_summary_rb(
    ranked: list[float], bounds: tuple[int, int]
) -> None:
    assert group_bounds(ranked) == bounds


def test_score_groups_work_on_unsorted_scores() -> None:
    assert list(score_groups([3.0, 0.0, 2.0, 1.0])) == [TOP, BOTTOM, MIDDLE, MIDDLE]


def test_split_must_be_a_sensible_share() -> None:
    with pytest.raises(ValueError, match="split"):
        group_bounds([1, 2, 3], split=0.6)


def _versions() -> ResponseTable:
    spec = QuizSpec(
        [(1, "Q", 1.0)],
        [
            Attempt(["B"], [0.0], student=7, attempt=2),
            Attempt(["A"], [1.0], student=7, attempt=1),
            Attempt(["A"], [1.0], student=8, attempt=1),
            Attempt(["B"], [0.0], student=7, attempt=3),
        ],
    )
    table = parse_report(student_analysis_csv(spec, all_versions=True))
    assert isinstance(table, ResponseTable)
    return table


@pytest.mark.parametrize(
    ("policy", "rows"),
    [
        (AttemptPolicy.FIRST, [1, 2]),
        (AttemptPolicy.LAST, [2, 3]),
        (AttemptPolicy.ALL, [0, 1, 2, 3]),
    ],
)
def test_attempt_policy_selects_rows(policy: AttemptPolicy, rows: list[int]) -> None:
    assert select_rows(_versions(), policy) == rows


def test_first_attempt_is_canvas_item_analysis_default() -> None:
    insights = analyse(_versions())
    assert insights.policy is AttemptPolicy.FIRST
    assert insights.attempts == 2
    assert insights.students == 2
    assert insights.items[0].stats.difficulty == 1.0
    assert analyse(_versions(), AttemptPolicy.LAST).items[0].stats.difficulty == 0.5


def test_reports_without_attempt_column_only_offer_as_reported() -> None:
    table = parse_report(student_analysis_csv(QuizSpec([(1, "Q", 1.0)], [])))
    assert isinstance(table, ResponseTable)
    assert table.policies() == (AttemptPolicy.AS_REPORTED,)
    with pytest.raises(UnsupportedPolicy, match="as_reported"):
        select_rows(table, AttemptPolicy.FIRST)


def test_anonymous_reports_cannot_pick_first_attempts() -> None:
    spec = QuizSpec([(1, "Q", 1.0)], [Attempt(["A"], [1.0]), Attempt(["B"], [0.0])])
    table = parse_report(student_analysis_csv(spec, all_versions=True, anonymous=True))
    assert isinstance(table, ResponseTable)
    assert table.anonymous
    assert table.policies() == (AttemptPolicy.AS_REPORTED,)
    insights = analyse(table)
    assert (insights.attempts, insights.students) == (2, None)


def test_logged_out_rows_are_left_out_of_first_attempts() -> None:
    text = student_analysis_csv(
        QuizSpec(
            [(1, "Q", 1.0)],
            [Attempt(["A"], [1.0], student=5), Attempt(["B"], [0.0], student=6)],
        ),
        all_versions=True,
    ).replace("Student 6,6,", ",,")
    table = parse_report(text)
    assert isinstance(table, ResponseTable)
    assert select_rows(table, AttemptPolicy.FIRST) == [0]
    assert select_rows(table, AttemptPolicy.ALL) == [0, 1]


def _sectioned() -> ResponseTable:
    spec = QuizSpec(
        [(1, "Q", 1.0)],
        [
            Attempt(["A"], [1.0], student=1, attempt=1, section=("Red", "7")),
            Attempt(["B"], [0.0], student=1, attempt=2, section=("Red", "7")),
            Attempt(["B"], [0.0], student=2, attempt=1, section=("Blue, Red", "8, 7")),
            Attempt(["A"], [1.0], student=3, attempt=1, section=("Blue", "8")),
            Attempt(["A"], [1.0], student=4, attempt=1, section=("Green, with comma", "9")),
        ],
    )
    table = parse_report(student_analysis_csv(spec, all_versions=True))
    assert isinstance(table, ResponseTable)
    return table


def test_sections_are_read_with_their_names() -> None:
    table = _sectioned()
    assert table.section_names == (("8", "Blue"), ("9", "Green, with comma"), ("7", "Red"))
    assert table.section_ids[2] == ("8", "7")


@pytest.mark.parametrize(
    ("section", "policy", "rows"),
    [
        ("7", AttemptPolicy.FIRST, [0, 2]),
        ("7", AttemptPolicy.ALL, [0, 1, 2]),
        ("8", AttemptPolicy.LAST, [2, 3]),
        (None, AttemptPolicy.FIRST, [0, 2, 3, 4]),
    ],
)
def test_section_filter_comes_before_the_attempt_policy(
    section: str | None, policy: AttemptPolicy, rows: list[int]
) -> None:
    assert select_rows(_sectioned(), policy, section) == rows


def test_unknown_section_is_refused() -> None:
    with pytest.raises(UnknownSection):
        select_rows(_sectioned(), AttemptPolicy.FIRST, "99")
    insights = analyse(_sectioned(), AttemptPolicy.FIRST, section="8")
    assert (insights.section, insights.attempts) == ("8", 2)
