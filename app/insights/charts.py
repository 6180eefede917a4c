"""Chart data (plain JSON-able dicts) for the insights page; the page also prints it as tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.insights.analysis import QuizInsights
from app.insights.flags import Flag, Severity, Thresholds
from app.insights.reported import ReportedItemAnalysis, ReportedOption, reported_flags


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _label(text: str, correct: bool) -> str:
    """Chart axis label: shortened, the correct answer marked (the tables say it in words)."""
    short = text if len(text) <= 60 else text[:59] + "…"
    return f"{short} ✓" if correct else short


def _share(count: int, of: int) -> float:
    return round(100 * count / of, 1) if of else 0.0


def _scatter_point(
    index: int, difficulty: float | None, discrimination: float | None, flags: Iterable[Flag]
) -> list[dict[str, Any]]:
    """Question ``index``'s point on the difficulty/discrimination plot (none when either
    is not computable); flagged when any flag asks for review."""
    if difficulty is None or discrimination is None:
        return []
    return [
        {
            "label": f"Q{index + 1}",
            "x": _round(difficulty),
            "y": _round(discrimination),
            "flagged": any(f.severity is Severity.REVIEW for f in flags),
        }
    ]


def quiz_charts(insights: QuizInsights) -> dict[str, Any]:
    """Histogram, difficulty/discrimination scatter and per-item answer shares by group."""
    scatter = []
    options: dict[str, Any] = {}
    for index, item in enumerate(insights.items):
        s = item.stats
        scatter += _scatter_point(index, s.difficulty, s.discrimination, item.flags)
        options[str(index)] = {
            "labels": [_label(o.text, o.correct) for o in s.options],
            "top": [_share(o.top, s.top_respondents) for o in s.options],
            "middle": [_share(o.middle, s.middle_respondents) for o in s.options],
            "bottom": [_share(o.bottom, s.bottom_respondents) for o in s.options],
        }
    return {
        "histogram": {
            "labels": [b.label for b in insights.scores.histogram],
            "counts": [b.count for b in insights.scores.histogram],
        },
        "scatter": scatter,
        "options": options,
        "thresholds": _thresholds(insights.thresholds),
    }


def reported_charts(
    analysis: ReportedItemAnalysis,
    thresholds: Thresholds | None = None,
    name: Callable[[ReportedOption], str] | None = None,
) -> dict[str, Any]:
    """Scatter and per-item answer counts for an item analysis Canvas computed.

    ``name`` gives an answer's label (the web layer translates "Correct answer"); by default
    the report's own label.
    """
    name = name or (lambda option: option.label)
    thresholds = thresholds or Thresholds()
    scatter = []
    options: dict[str, Any] = {}
    for index, item in enumerate(analysis.items):
        flags = reported_flags(item, thresholds)
        scatter += _scatter_point(index, item.difficulty, item.discrimination, flags)
        counted = [o for o in item.options if o.count is not None]
        if counted:
            options[str(index)] = {
                "labels": [_label(name(o), o.correct is True) for o in counted],
                "counts": [o.count for o in counted],
            }
    return {"scatter": scatter, "options": options, "thresholds": _thresholds(thresholds)}


def _thresholds(t: Thresholds) -> dict[str, float]:
    return {
        "hard": t.hard_below,
        "easy": t.easy_above,
        "discrimination": t.low_discrimination_below,
    }
