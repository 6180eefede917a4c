"""Per-question statistics: difficulty, discrimination, point-biserial, item-rest correlation."""

from __future__ import annotations

import contextlib
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import mul

from app.insights.correlation import canvas_point_biserial, pearson
from app.insights.distractors import (
    OptionStats,
    Respondents,
    correct_codes,
    option_statistics,
    score_runs,
    score_sums,
)
from app.insights.table import Question


@dataclass(frozen=True, slots=True)
class ScoreContext:
    """Per-analysis data every item needs (computed once); attempts are sorted by score."""

    #: Canvas's total: the attempt's score column (used for groups and point-biserial).
    scores: Sequence[float]
    score_sum: float
    score_sumsq: float
    score_sd: float
    bottom_end: int
    middle_end: int
    runs: Sequence[tuple[int, int, float]] | None
    #: Sum of item points per attempt minus its mean (the total alpha is computed on).
    centered_totals: Sequence[float]
    total_mean: float
    total_variance: float
    #: The score column equals the sum of item points on every analysed attempt.
    scores_are_totals: bool


@dataclass(frozen=True, slots=True)
class ItemStats:
    """Everything the tool reports about one question (``None``: not computable)."""

    question: Question
    #: Attempts that answered (Canvas: an answer was given; blanks do not count).
    respondents: int
    blank: int
    not_shown: int
    #: Every respondent earned 0 or full points (scored right/wrong).
    dichotomous: bool
    mean_points: float | None
    #: Proportion correct (dichotomous) or mean points / points possible (partial credit).
    difficulty: float | None
    #: Population variance of the respondents' item points (Canvas's "Variance").
    variance: float | None
    top_respondents: int
    middle_respondents: int
    bottom_respondents: int
    #: Difficulty within the upper / lower score group.
    upper_difficulty: float | None
    lower_difficulty: float | None
    #: Upper-lower index D = upper_difficulty - lower_difficulty.
    discrimination: float | None
    #: Canvas's "Point Biserial of Correct" (item-total correlation over respondents).
    point_biserial: float | None
    #: Corrected item-total: Pearson r of item points and the rest of the test (all attempts).
    item_rest: float | None
    #: Population variance and covariance with the total over all analysed attempts
    #: (unanswered = 0), the inputs of alpha and alpha-if-deleted.
    matrix_variance: float
    matrix_covariance: float
    options: tuple[OptionStats, ...]
    alpha_if_deleted: float | None = None


def _population_sd(total: float, total_sq: float, n: int) -> float:
    return math.sqrt(max(total_sq / n - (total / n) ** 2, 0.0)) if n else 0.0


def _positions(values: Sequence[int], wanted: int) -> list[int]:
    """Indices of ``wanted`` (few) in ``values``: ``index`` scans in C between hits."""
    found: list[int] = []
    start = 0
    with contextlib.suppress(ValueError):
        while True:
            start = values.index(wanted, start)
            found.append(start)
            start += 1
    return found


def _everyone(codes: Sequence[int], points: Sequence[float], c: ScoreContext) -> Respondents:
    n = len(codes)
    bottom, middle = c.bottom_end, c.middle_end - c.bottom_end
    return Respondents(
        codes, points, c.scores, c.bottom_end, c.middle_end, n, bottom, middle, 0,
        c.score_sum, c.score_sd, c.runs,
    )  # fmt: skip


def _respondents(codes: Sequence[int], points: Sequence[float], c: ScoreContext) -> Respondents:
    """The attempts that answered, in score order; copies columns only in a rare case."""
    if not codes or min(codes) >= 0:
        return _everyone(codes, points, c)
    skipped = _positions(codes, -1) + _positions(codes, -2)
    skipped.sort()
    scores = c.scores
    if not any(points[i] for i in skipped):
        # blanks earned nothing: keep the columns, subtract the skipped attempts from sums
        skipped_scores = [scores[i] for i in skipped]
        n = len(codes) - len(skipped)
        total = c.score_sum - sum(skipped_scores)
        total_sq = c.score_sumsq - sum(map(mul, skipped_scores, skipped_scores))
        in_bottom = bisect_left(skipped, c.bottom_end)
        in_middle = bisect_left(skipped, c.middle_end) - in_bottom
        return Respondents(
            codes, points, scores, c.bottom_end, c.middle_end, n,
            c.bottom_end - in_bottom, c.middle_end - c.bottom_end - in_middle, len(skipped),
            total, _population_sd(total, total_sq, n), c.runs,
        )  # fmt: skip
    # a blank that still earned points (a manually graded question): copy the respondents
    mask = list(map((0).__le__, codes))
    kept_scores = list(compress(scores, mask))
    total = sum(kept_scores)
    bottom_end, middle_end = sum(mask[: c.bottom_end]), sum(mask[: c.middle_end])
    return Respondents(
        list(compress(codes, mask)), list(compress(points, mask)), kept_scores,
        bottom_end, middle_end, len(kept_scores), bottom_end, middle_end - bottom_end, 0,
        total, _population_sd(total, sum(map(mul, kept_scores, kept_scores)), len(kept_scores)),
        score_runs(kept_scores),
    )  # fmt: skip


def _share(total: float, count: int, denominator: float) -> float | None:
    if not count or denominator <= 0:
        return None
    return total / (count * denominator)


def item_statistics(
    question: Question,
    choices: Sequence[str],
    points: Sequence[float],
    codes: Sequence[int],
    context: ScoreContext,
) -> ItemStats:
    """Statistics of one question over the analysed attempts (one column of the table)."""
    pp = question.points_possible
    r = _respondents(codes, points, context)
    n = r.count
    not_shown = codes.count(-2) if n < len(codes) else 0
    full = r.points.count(pp) if pp > 0 else 0
    # skipped attempts sit in the column with 0 points: they are not respondents' zeros
    dichotomous = pp > 0 and n > 0 and full + r.points.count(0.0) - r.skipped == n
    if dichotomous:
        sum_x, sum_xx = pp * full, pp * pp * full
    else:
        sum_x, sum_xx = sum(r.points), sum(map(mul, r.points, r.points))
    correct = (
        set() if question.correct_options or not n else correct_codes(r.codes, r.points, pp, full)
    )
    sums = score_sums(r, len(choices))
    single_key = _single_key(r, correct, full) if dichotomous else None
    # a single keyed answer: the full-credit attempts are exactly its choosers, so the
    # score-weighted sums are already known from the per-answer sums (saves two passes)
    sum_xs = pp * sums[single_key] if single_key is not None else sum(map(mul, r.points, r.scores))
    mean_points = sum_x / n if n else None
    upper = _share(sum(r.points[r.middle_end :]), r.top_count, pp)
    lower = _share(sum(r.points[: r.bottom_end]), r.bottom_count, pp)
    if dichotomous:
        point_biserial = canvas_point_biserial(full, sum_xs / pp, n, r.score_sum, r.score_sd)
    else:
        point_biserial = pearson(
            n,
            sum_x=sum_x,
            sum_y=r.score_sum,
            sum_xx=sum_xx,
            sum_yy=(r.score_sd**2 + (r.score_sum / n) ** 2) * n if n else 0.0,
            sum_xy=sum_xs,
        )
    if r.points is points:
        matrix_sums = (sum_x, sum_xx)
    else:
        matrix_sums = (sum(points), sum(map(mul, points, points)))
    # sum of x * T: equal to sum of x * score when every score is its points' sum and
    # nobody who skipped the question earned points on it (the columns are the same)
    sum_xt = sum_xs if context.scores_are_totals and r.points is points else None
    matrix_variance, matrix_covariance, item_rest = _matrix_terms(
        points, matrix_sums, sum_xt, context
    )
    return ItemStats(
        question=question,
        respondents=n,
        blank=len(codes) - n - not_shown,
        not_shown=not_shown,
        dichotomous=dichotomous,
        mean_points=mean_points,
        difficulty=mean_points / pp if mean_points is not None and pp > 0 else None,
        variance=max(sum_xx / n - (sum_x / n) ** 2, 0.0) if n else None,
        top_respondents=r.top_count,
        middle_respondents=r.middle_count,
        bottom_respondents=r.bottom_count,
        upper_difficulty=upper,
        lower_difficulty=lower,
        discrimination=upper - lower if upper is not None and lower is not None else None,
        point_biserial=point_biserial,
        item_rest=item_rest,
        matrix_variance=matrix_variance,
        matrix_covariance=matrix_covariance,
        options=option_statistics(
            choices,
            r,
            correct=correct,
            correct_texts=question.correct_options,
            sums=sums,
            known_options=question.options,
        )
        if n
        else (),
    )


def _single_key(r: Respondents, correct: set[int], full: int) -> int | None:
    """The answer code that exactly the full-credit respondents gave, if there is one."""
    if len(correct) != 1:
        return None
    (code,) = correct
    return code if r.codes.count(code) == full else None


def _matrix_terms(
    points: Sequence[float],
    sums: tuple[float, float],
    sum_xt: float | None,
    context: ScoreContext,
) -> tuple[float, float, float | None]:
    """Variance, covariance with the total, and item-rest r over all analysed attempts."""
    n = len(points)
    if n == 0:
        return 0.0, 0.0, None
    mean = sums[0] / n
    variance = max(sums[1] / n - mean * mean, 0.0)
    if sum_xt is None:
        covariance = sum(map(mul, points, context.centered_totals)) / n
    else:
        covariance = (sum_xt - context.total_mean * sums[0]) / n
    rest_variance = context.total_variance + variance - 2 * covariance
    if variance <= 1e-12 or rest_variance <= 1e-12:
        return variance, covariance, None
    item_rest = (covariance - variance) / math.sqrt(variance * rest_variance)
    return variance, covariance, max(-1.0, min(1.0, item_rest))
