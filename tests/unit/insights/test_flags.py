"""The heuristic flags fire at their documented thresholds, and only there."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.insights.distractors import OptionStats
from app.insights.flags import Thresholds, item_flags
from app.insights.items import ItemStats
from app.insights.table import Question

BASE = ItemStats(
    question=Question("1", "Q", 1.0, 0),
    respondents=100,
    blank=0,
    not_shown=0,
    dichotomous=True,
    mean_points=0.6,
    difficulty=0.6,
    variance=0.24,
    top_respondents=27,
    middle_respondents=46,
    bottom_respondents=27,
    upper_difficulty=0.9,
    lower_difficulty=0.3,
    discrimination=0.6,
    point_biserial=0.5,
    item_rest=0.4,
    matrix_variance=0.24,
    matrix_covariance=0.5,
    options=(
        OptionStats("A", True, 60, 0.6, 25, 30, 5, 0.5),
        OptionStats("B", False, 40, 0.4, 2, 16, 22, -0.5),
    ),
    alpha_if_deleted=0.7,
)


def _codes(item: ItemStats, alpha: float | None = 0.75) -> list[str]:
    return [f.code for f in item_flags(item, alpha, Thresholds())]


def test_a_good_item_has_no_flags() -> None:
    assert _codes(BASE) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"difficulty": 0.29}, "hard"),
        ({"difficulty": 0.81}, "easy"),
        ({"discrimination": 0.09}, "low_discrimination"),
        ({"discrimination": -0.2}, "negative_discrimination"),
        ({"item_rest": 0.19}, "weak_item_rest"),
        ({"alpha_if_deleted": 0.77}, "alpha_rises_without"),
        ({"respondents": 19}, "few_respondents"),
    ],
)
def test_item_flag_thresholds(changes: dict[str, float], code: str) -> None:
    assert code in _codes(replace(BASE, **changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "absent"),
    [
        ({"difficulty": 0.30}, "hard"),
        ({"difficulty": 0.80}, "easy"),
        ({"discrimination": 0.10}, "low_discrimination"),
        ({"alpha_if_deleted": 0.755}, "alpha_rises_without"),
    ],
)
def test_values_on_the_threshold_are_not_flagged(changes: dict[str, float], absent: str) -> None:
    assert absent not in _codes(replace(BASE, **changes))  # type: ignore[arg-type]


def test_distractor_flags() -> None:
    options = (
        BASE.options[0],
        OptionStats("B", False, 36, 0.36, 2, 12, 22, -0.5),
        OptionStats("C", False, 4, 0.04, 0, 2, 2, -0.1),  # rare
        OptionStats("D", False, 0, 0.0, 0, 0, 0, None),  # nobody
        OptionStats("E", False, 10, 0.1, 6, 2, 2, 0.1),  # top 6/27 > bottom 2/27
    )
    flags = item_flags(replace(BASE, options=options), 0.75, Thresholds())
    assert [(f.code, f.message[:3]) for f in flags] == [
        ("rare_distractor", "“C”"),
        ("unused_distractor", "Nob"),
        ("distractor_attracts_top", "“E”"),
    ]


def test_nobody_answered() -> None:
    assert _codes(replace(BASE, respondents=0)) == ["no_responses"]


@pytest.mark.parametrize(
    ("option", "respondents"),
    [
        (OptionStats("E", False, 1, 0.01, 1, 0, 0, 0.1), 100),  # one top student is noise
        (OptionStats("E", False, 10, 0.1, 6, 2, 2, 0.1), 19),  # too few answers overall
    ],
)
def test_distractor_attracting_top_needs_enough_evidence(
    option: OptionStats, respondents: int
) -> None:
    item = replace(BASE, options=(BASE.options[0], option), respondents=respondents)
    assert "distractor_attracts_top" not in _codes(item)
