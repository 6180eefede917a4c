"""Item analyses computed by Canvas itself (classic CSV, New Quizzes CSV/JSON), as one shape.

The tool does not recompute these (it has no per-attempt data); it shows the report's numbers,
derives the upper-lower index where the report gives group counts, and applies the same
heuristic flags as for its own analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.insights.flags import Flag, Severity, Thresholds, answer_label, difficulty_flags, flag
from app.insights.item_analysis import CanvasItemAnalysis


@dataclass(frozen=True, slots=True)
class ReportedOption:
    label: str
    correct: bool | None
    count: int | None
    ratio: float | None
    point_biserial: float | None


@dataclass(frozen=True, slots=True)
class ReportedItem:
    question_id: str
    title: str
    item_type: str | None
    respondents: int
    difficulty: float | None
    discrimination: float | None
    point_biserial: float | None
    variance: float | None
    standard_deviation: float | None
    options: tuple[ReportedOption, ...]


@dataclass(frozen=True, slots=True)
class ReportedItemAnalysis:
    """``source``: ``classic`` (Canvas's Item Analysis CSV) or ``new_quizzes``."""

    source: str
    alpha: float | None
    respondents: int | None
    mean_score: float | None
    standard_deviation: float | None
    items: tuple[ReportedItem, ...]


def from_canvas(analysis: CanvasItemAnalysis) -> ReportedItemAnalysis:
    """Canvas's classic Item Analysis: the correct answer's and each distractor's biserial."""
    items = []
    for row in analysis.rows:
        options = [ReportedOption("Correct answer", True, row.correct, row.correct_ratio,
                                  row.point_biserial_correct)]  # fmt: skip
        options += [
            ReportedOption(f"Distractor {n + 2}", False, None, None, value)
            for n, value in enumerate(row.point_biserial_distractors)
        ]
        items.append(
            ReportedItem(
                question_id=row.question_id,
                title=row.title,
                item_type=None,
                respondents=row.answered,
                difficulty=row.difficulty,
                discrimination=row.discrimination,
                point_biserial=row.point_biserial_correct,
                variance=row.variance,
                standard_deviation=row.standard_deviation,
                options=tuple(options),
            )
        )
    return ReportedItemAnalysis("classic", analysis.alpha, None, None, None, tuple(items))


def reported_flags(item: ReportedItem, t: Thresholds) -> tuple[Flag, ...]:
    """The thresholds of flags.py applied to numbers a report already contains."""
    if item.respondents == 0:
        return (flag("no_responses", Severity.NOTE),)
    flags = difficulty_flags(item.difficulty, item.discrimination, t)
    for option in item.options:
        if option.correct is not False:
            continue
        label = answer_label(option.label)
        if option.count == 0:
            flags.append(flag("unused_distractor", Severity.NOTE, answer=label))
        if option.point_biserial is not None and option.point_biserial > 0:
            flags.append(
                flag("positive_distractor", Severity.REVIEW, answer=label, r=option.point_biserial)
            )
    return tuple(flags)
