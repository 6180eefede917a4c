"""Upper / middle / lower score groups, split exactly the way Canvas's Item Analysis does."""

from __future__ import annotations

import math
from collections.abc import Sequence

BOTTOM, MIDDLE, TOP = 0, 1, 2
#: Canvas's split (item_analysis/summary.rb): top 27 %, middle 46 %, bottom 27 %.
DEFAULT_SPLIT = 0.27


def ruby_round(value: float) -> int:
    """Round half away from zero like Ruby's ``Float#round`` (Python's ``round`` is banker's)."""
    whole = math.floor(value)
    return whole + 1 if value - whole >= 0.5 else whole


def group_bounds(ranked: Sequence[float], split: float = DEFAULT_SPLIT) -> tuple[int, int]:
    """(bottom_end, middle_end) for scores sorted ascending: bottom = [0, bottom_end), ...

    Mirrors Canvas: the top group starts at rank round(0.73 n), the middle at round(0.27 n);
    a boundary moves down while the score just below it ties, so tied students go up.
    """
    if not 0 < split <= 0.5:
        raise ValueError("split must be in (0, 0.5]")
    n = len(ranked)
    bounds = []
    previous = n
    # round(..., 12) so that 1 - 0.27 is the same double as Canvas's literal 0.73
    for cutoff in (round(1 - split, 12), split):
        floor = ruby_round(cutoff * n)
        floor_score = ranked[floor] if floor < n else None
        while floor > 0 and ranked[floor - 1] == floor_score:
            floor -= 1
        previous = min(previous, floor)
        bounds.append(previous)
    middle_end, bottom_end = bounds
    return bottom_end, middle_end


def score_groups(scores: Sequence[float], split: float = DEFAULT_SPLIT) -> bytearray:
    """Group of every attempt (``BOTTOM``/``MIDDLE``/``TOP``), scores in any order."""
    order = sorted(range(len(scores)), key=scores.__getitem__)
    bottom_end, middle_end = group_bounds([scores[i] for i in order], split)
    groups = bytearray(len(scores))
    for rank, row in enumerate(order):
        groups[row] = BOTTOM if rank < bottom_end else MIDDLE if rank < middle_end else TOP
    return groups
