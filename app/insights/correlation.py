"""Point-biserial and Pearson correlations from sums, in the forms Canvas and CTT use."""

from __future__ import annotations

import math


def canvas_point_biserial(
    chosen: int, chosen_score_sum: float, respondents: int, score_sum: float, score_sd: float
) -> float | None:
    """Canvas's formula (item_analysis/item.rb): (M1 - M0) / SD * sqrt(p (1 - p)).

    M1 / M0: mean total score of the respondents who chose / did not choose the answer;
    SD: population SD of the respondents' scores; None when either group is empty or
    the scores do not vary (Canvas divides by zero there and prints NaN).
    """
    others = respondents - chosen
    if chosen == 0 or others == 0 or score_sd <= 0:
        return None
    mean_chosen = chosen_score_sum / chosen
    mean_others = (score_sum - chosen_score_sum) / others
    ratio = chosen / respondents
    return (mean_chosen - mean_others) / score_sd * math.sqrt(ratio * (1 - ratio))


def pearson(
    n: int, *, sum_x: float, sum_y: float, sum_xx: float, sum_yy: float, sum_xy: float
) -> float | None:
    """Pearson's r from raw sums; None when either variable does not vary."""
    if n < 2:
        return None
    cov = sum_xy / n - (sum_x / n) * (sum_y / n)
    var_x = sum_xx / n - (sum_x / n) ** 2
    var_y = sum_yy / n - (sum_y / n) ** 2
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return max(-1.0, min(1.0, cov / math.sqrt(var_x * var_y)))
