"""Score summary of the analysed attempts: mean, median, SD, range and a histogram."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

#: Up to this many points, the histogram has one bar per whole point.
MAX_POINT_BINS = 20
DEFAULT_BINS = 10


@dataclass(frozen=True, slots=True)
class HistogramBin:
    """Attempts with ``low <= score < high`` (the last bin also includes ``high``)."""

    low: float
    high: float
    count: int
    label: str


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    count: int
    mean: float | None
    median: float | None
    #: Population standard deviation, as Canvas reports it.
    sd: float | None
    minimum: float | None
    maximum: float | None
    points_possible: float
    histogram: tuple[HistogramBin, ...]


def _format(value: float) -> str:
    return f"{value:g}"


def _edges(points_possible: float, scores: Sequence[float]) -> tuple[list[float], bool]:
    """Bin edges, and whether each bin is one whole score (bars 0, 1, ..., top)."""
    top = max(points_possible, max(scores, default=0.0), 1.0)
    whole = all(float(s).is_integer() for s in scores)
    if whole and top <= MAX_POINT_BINS and float(top).is_integer():
        return [float(s) for s in range(int(top) + 2)], True
    width = top / DEFAULT_BINS
    return [i * width for i in range(DEFAULT_BINS + 1)], False


def histogram(scores: Sequence[float], points_possible: float) -> tuple[HistogramBin, ...]:
    """Counts per score band; negative scores fall in the first band, bonus above the last."""
    edges, per_point = _edges(points_possible, scores)
    bins = len(edges) - 1
    counts = [0] * bins
    width = edges[1] - edges[0]
    for score in scores:
        index = int((score - edges[0]) // width) if width else 0
        counts[min(max(index, 0), bins - 1)] += 1
    result = []
    for i in range(bins):
        low, high = edges[i], edges[i + 1]
        label = _format(low) if per_point else f"{_format(low)}-{_format(high)}"
        result.append(HistogramBin(low, high, counts[i], label))
    return tuple(result)


def summarise_scores(scores: Sequence[float], points_possible: float) -> ScoreSummary:
    """Descriptive statistics of attempt scores (population SD)."""
    if not scores:
        return ScoreSummary(0, None, None, None, None, None, points_possible, ())
    mean = math.fsum(scores) / len(scores)
    variance = math.fsum((s - mean) ** 2 for s in scores) / len(scores)
    return ScoreSummary(
        count=len(scores),
        mean=mean,
        median=statistics.median(scores),
        sd=math.sqrt(variance),
        minimum=min(scores),
        maximum=max(scores),
        points_possible=points_possible,
        histogram=histogram(scores, points_possible),
    )
