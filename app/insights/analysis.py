"""The one entry point: a parsed response table in, frozen quiz insights out."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import chain
from operator import mul
from typing import TypeVar

from app.insights.distractors import score_runs
from app.insights.flags import Flag, Thresholds, item_flags
from app.insights.groups import DEFAULT_SPLIT, group_bounds
from app.insights.items import ItemStats, ScoreContext, item_statistics
from app.insights.reliability import Reliability, alpha_if_deleted, cronbach_alpha, reliability
from app.insights.selection import select_rows
from app.insights.students import ScoreSummary, summarise_scores
from app.insights.table import AttemptPolicy, ReportKind, ResponseTable

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ItemReport:
    stats: ItemStats
    flags: tuple[Flag, ...]


@dataclass(frozen=True, slots=True)
class QuizInsights:
    """What the insights page shows for one report under one attempt policy."""

    kind: ReportKind
    policy: AttemptPolicy
    policies: tuple[AttemptPolicy, ...]
    rows_in_report: int
    attempts: int
    #: Distinct students among the analysed attempts; None for anonymous reports.
    students: int | None
    split: float
    #: The section analysed (an id from ``sections``) or None for all students.
    section: str | None
    #: (id, name) of every section in the report.
    sections: tuple[tuple[str, str], ...]
    scores: ScoreSummary
    reliability: Reliability
    #: Canvas's Item Analysis alpha: right/wrong items only, item variances over each item's
    #: respondents, total = the attempt score (equals KR-20 when nobody skips).
    canvas_alpha: float | None
    canvas_alpha_items: int
    items: tuple[ItemReport, ...]
    thresholds: Thresholds


#: Canvas's Item Analysis only covers these question types (item_analysis/item.rb).
CANVAS_ITEM_TYPES = frozenset({"multiple_choice_question", "true_false_question"})


def _canvas_analyses(item: ItemStats) -> bool:
    """Would Canvas's Item Analysis include it? By type when known, else right/wrong scoring."""
    if item.variance is None:
        return False
    if item.question.question_type is not None:
        return item.question.question_type in CANVAS_ITEM_TYPES
    return item.dichotomous


def _context(scores: list[float], totals: list[float], split: float) -> ScoreContext:
    """Shared per-analysis values; ``scores`` must be sorted ascending."""
    n = len(scores)
    score_sum = sum(scores)
    score_mean = score_sum / n if n else 0.0
    total_mean = sum(totals) / n if n else 0.0
    centered = [t - total_mean for t in totals]
    bottom_end, middle_end = group_bounds(scores, split)
    return ScoreContext(
        scores=scores,
        score_sum=score_sum,
        score_sumsq=sum(map(mul, scores, scores)),
        score_sd=math.sqrt(math.fsum((s - score_mean) ** 2 for s in scores) / n) if n else 0.0,
        bottom_end=bottom_end,
        middle_end=middle_end,
        runs=score_runs(scores),
        centered_totals=centered,
        total_mean=total_mean,
        scores_are_totals=scores == totals,
        total_variance=sum(map(mul, centered, centered)) / n if n else 0.0,
    )


def _columns(rows: list[list[T]], count: int) -> list[list[T]]:
    """Transpose rows into columns: one flat list, then a strided slice per column, all in C
    (``zip(*rows)`` over 10,000 rows is several times slower)."""
    flat = list(chain.from_iterable(rows))
    return [flat[q::count] for q in range(count)]


def analyse(
    table: ResponseTable,
    policy: AttemptPolicy | None = None,
    *,
    section: str | None = None,
    split: float = DEFAULT_SPLIT,
    thresholds: Thresholds | None = None,
    confidence: float = 0.95,
) -> QuizInsights:
    """Select the attempts, then compute score, reliability and item statistics.

    Raises:
        UnsupportedPolicy: ``policy`` needs an attempt column / identities the report lacks;
        UnknownSection: ``section`` is not one of the report's.
    """
    policy = policy or table.default_policy()
    thresholds = thresholds or Thresholds()
    # sorted by score (stable), so Canvas's score groups are contiguous slices of every column
    rows = sorted(select_rows(table, policy, section), key=table.scores.__getitem__)
    count = len(table.questions)
    point_rows = [table.points[r] for r in rows]
    point_cols = _columns(point_rows, count)
    code_cols = _columns([table.codes[r] for r in rows], count)
    scores = [table.scores[r] for r in rows]
    context = _context(scores, list(map(sum, point_rows)), split)
    stats = [
        item_statistics(question, table.choices[q], point_cols[q], code_cols[q], context)
        for q, question in enumerate(table.questions)
    ]
    scored = [i for i, s in enumerate(stats) if s.question.points_possible > 0]
    variances = [stats[i].matrix_variance for i in scored]
    result = reliability(
        variances,
        context.total_variance,
        len(rows),
        dichotomous=bool(scored) and all(stats[i].dichotomous for i in scored),
        confidence=confidence,
    )
    deleted = alpha_if_deleted(
        variances, context.total_variance, [stats[i].matrix_covariance for i in scored]
    )
    for i, value in zip(scored, deleted, strict=True):
        stats[i] = replace(stats[i], alpha_if_deleted=value)
    canvas_items = [s for s in stats if _canvas_analyses(s)]
    identities = {table.respondents[r] for r in rows}
    return QuizInsights(
        kind=table.kind,
        policy=policy,
        policies=table.policies(),
        rows_in_report=table.row_count,
        attempts=len(rows),
        students=None if table.anonymous else len(identities - {None}),
        split=split,
        section=section,
        sections=table.section_names,
        scores=summarise_scores(scores, math.fsum(q.points_possible for q in table.questions)),
        reliability=result,
        canvas_alpha=cronbach_alpha(
            [s.variance for s in canvas_items if s.variance is not None],
            context.score_sd**2,
        ),
        canvas_alpha_items=len(canvas_items),
        items=tuple(ItemReport(s, item_flags(s, result.alpha, thresholds)) for s in stats),
        thresholds=thresholds,
    )
