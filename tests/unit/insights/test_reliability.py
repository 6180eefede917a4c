"""F quantiles against printed tables; alpha, Feldt interval and SEM edge cases."""

from __future__ import annotations

import math

import pytest

from app.insights.fdist import f_cdf, f_quantile, regularized_beta
from app.insights.reliability import (
    alpha_if_deleted,
    cronbach_alpha,
    feldt_interval,
    reliability,
    standard_error_of_measurement,
)


@pytest.mark.parametrize(
    ("probability", "df1", "df2", "expected"),
    [
        (0.95, 5, 10, 3.3258),
        (0.975, 10, 20, 2.7737),
        (0.975, 1, 1, 647.79),
        (0.99, 3, 30, 4.5097),
        (0.975, 3, 6, 6.5988),
        (0.95, 1, 1000, 3.8508),
    ],
)
def test_f_quantile_matches_tables(probability: float, df1: int, df2: int, expected: float) -> None:
    assert f_quantile(probability, df1, df2) == pytest.approx(expected, rel=2e-4)


def test_lower_quantile_is_reciprocal_of_swapped_upper() -> None:
    assert f_quantile(0.025, 10, 20) == pytest.approx(1 / f_quantile(0.975, 20, 10), rel=1e-9)


def test_f_quantile_with_huge_degrees_of_freedom_is_near_one() -> None:
    # 10,000 attempts x 200 items: F is close to normal with SD sqrt(2/df1 + 2/df2)
    spread = math.sqrt(2 / 9999 + 2 / (9999 * 199))
    assert f_quantile(0.975, 9999, 9999 * 199) == pytest.approx(1 + 1.96 * spread, abs=1e-3)


def test_beta_and_cdf_edges() -> None:
    assert regularized_beta(2, 3, 0.0) == 0.0
    assert regularized_beta(2, 3, 1.0) == 1.0
    assert regularized_beta(1, 1, 0.3) == pytest.approx(0.3)
    assert f_cdf(0.0, 3, 4) == 0.0


@pytest.mark.parametrize(("p", "df1", "df2"), [(0.0, 1, 1), (1.0, 1, 1), (0.5, 0, 1)])
def test_f_quantile_rejects_bad_arguments(p: float, df1: int, df2: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        f_quantile(p, df1, df2)


def test_alpha_formula_and_undefined_cases() -> None:
    assert cronbach_alpha([0.25, 0.25], 1.0) == pytest.approx(1.0)
    assert cronbach_alpha([0.25], 1.0) is None
    assert cronbach_alpha([0.25, 0.25], 0.0) is None


def test_feldt_interval_needs_enough_data() -> None:
    assert feldt_interval(0.8, attempts=2, items=10) is None
    assert feldt_interval(0.8, attempts=50, items=1) is None
    assert feldt_interval(1.0, attempts=50, items=10) is None
    low, high = feldt_interval(0.8, attempts=50, items=10, confidence=0.9) or (0, 0)
    assert low < 0.8 < high


def test_sem_is_undefined_for_negative_alpha() -> None:
    assert standard_error_of_measurement(2.0, -0.1) is None
    assert standard_error_of_measurement(2.0, 0.75) == pytest.approx(1.0)


def test_reliability_without_alpha_has_no_interval() -> None:
    result = reliability([0.1], 1.0, 10, dichotomous=True)
    assert (result.alpha, result.ci_low, result.ci_high, result.sem) == (None, None, None, None)


def test_alpha_if_deleted_needs_three_items() -> None:
    assert alpha_if_deleted([0.25, 0.25], 1.0, [0.5, 0.5]) == [None, None]
