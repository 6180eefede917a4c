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
    """One answer as a report gives it.

    ``has_text``: ``label`` is the answer's own text (New Quizzes). Canvas's classic Item
    Analysis names no answer: its columns are the correct answer and "Distractor 2, 3, …"
    in Canvas's answer order (weight, then position), so ``label`` is that name and
    ``number`` the column's number (1 for the correct answer).
    """

    label: str
    correct: bool | None
    count: int | None
    ratio: float | None
    point_biserial: float | None
    has_text: bool = True
    number: int | None = None


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
        options = [
            ReportedOption(
                "Correct answer", True, row.correct, row.correct_ratio,
                row.point_biserial_correct, has_text=False, number=1,
            )
        ]  # fmt: skip
        options += [
            ReportedOption(f"Distractor {n + 2}", False, None, None, value, False, n + 2)
            for n, value in enumerate(existing_distractors(row.point_biserial_distractors))
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


def existing_distractors(cells: tuple[float | None, ...]) -> tuple[float | None, ...]:
    """The distractor columns that belong to the question: trailing blanks are dropped.

    Canvas writes as many distractor columns as the question with the most answers needs and
    leaves the rest of a shorter question's row blank (``item_analysis.rb``: ``row <<
    item.point_biserials[n]`` is nil past its answers), so a true/false question has one
    distractor however many columns the report has. A blank *before* a number is an answer
    nobody (or everybody) chose: Canvas's point-biserial is nil then, and it is kept.
    """
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


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
