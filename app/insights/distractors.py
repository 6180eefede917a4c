"""Option (distractor) analysis: who chose what, by score group, and which options misbehave."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

from app.insights.correlation import canvas_point_biserial

#: Up to this many options the per-option sums run in C (compress); above, one Python loop.
_FEW_OPTIONS = 12


@dataclass(frozen=True, slots=True)
class OptionStats:
    """One answer text of a question and how each score group chose it."""

    text: str
    correct: bool
    count: int
    #: Share of the item's respondents who chose it.
    ratio: float
    top: int
    middle: int
    bottom: int
    #: Canvas's point-biserial of this answer (the "Point Biserial of Distractor" columns).
    point_biserial: float | None


@dataclass(frozen=True, slots=True)
class Respondents:
    """One question's column over the attempts, sorted by score (so groups are slices).

    Bottom group: ``[0, bottom_end)``, middle: ``[bottom_end, middle_end)``, top: the rest.
    The columns may still hold ``skipped`` attempts that did not answer (negative codes,
    0 points): counting by code ignores them and they add nothing to sums, which saves
    copying every column with a blank in it. ``count`` and the group counts are of
    respondents only. ``runs`` are the ``(start, end, score)`` runs of equal scores, or None
    when scores are too varied for run-wise counting to pay off.
    """

    codes: Sequence[int]
    points: Sequence[float]
    scores: Sequence[float]
    bottom_end: int
    middle_end: int
    count: int
    bottom_count: int
    middle_count: int
    skipped: int
    score_sum: float
    score_sd: float
    runs: Sequence[tuple[int, int, float]] | None

    @property
    def top_count(self) -> int:
        return self.count - self.middle_count - self.bottom_count


def score_runs(
    ranked: Sequence[float], max_runs: int | None = None
) -> list[tuple[int, int, float]] | None:
    """Runs of equal scores in ascending ``ranked``; None if there are more than ``max_runs``."""
    distinct = sorted(set(ranked))
    limit = max(len(ranked) // 20, 8) if max_runs is None else max_runs
    if len(distinct) > limit:
        return None
    runs = []
    start = 0
    for score in distinct:
        end = bisect_right(ranked, score, lo=start)
        runs.append((start, end, score))
        start = end
    return runs


def score_sums(respondents: Respondents, option_count: int) -> list[float]:
    """Sum of respondents' scores per answer code (for the per-answer point-biserials)."""
    codes, scores, runs = respondents.codes, respondents.scores, respondents.runs
    if option_count <= _FEW_OPTIONS and runs is not None:
        # counting codes inside each run of equal scores runs in C and avoids a pass per option
        sums = [0.0] * option_count
        for start, end, score in runs:
            segment = codes[start:end]
            for code in range(option_count):
                sums[code] += score * segment.count(code)
        return sums
    if option_count <= _FEW_OPTIONS:
        return [sum(compress(scores, map(code.__eq__, codes))) for code in range(option_count)]
    sums = [0.0] * option_count
    for code, score in zip(codes, scores, strict=True):
        if code >= 0:
            sums[code] += score
    return sums


def correct_codes(
    codes: Sequence[int], points: Sequence[float], points_possible: float, full_count: int
) -> set[int]:
    """Answers for which every attempt that gave them earned full points."""
    if points_possible <= 0 or full_count == 0:
        return set()
    first = codes[points.index(points_possible)]
    if codes.count(first) == full_count:
        # one pass in the usual case: a single keyed answer that all full-credit rows share
        full = set(compress(codes, map(points_possible.__eq__, points)))
        if full == {first}:
            return full
    full = set(compress(codes, map(points_possible.__le__, points)))
    short = set(compress(codes, map(points_possible.__gt__, points)))
    return full - short


def option_statistics(
    choices: Sequence[str],
    respondents: Respondents,
    *,
    correct: set[int],
    correct_texts: Sequence[str],
    sums: Sequence[float],
    known_options: Sequence[str] = (),
) -> tuple[OptionStats, ...]:
    """Per answer text: frequency, frequency per group, correctness and point-biserial.

    An answer is correct when the report marks it so (``correct_texts``), else when every
    attempt that gave it earned full points (``correct`` codes). ``sums``: the respondents'
    score sums per answer code. Options the report lists but nobody chose are added with 0.
    """
    codes = respondents.codes
    n = respondents.count
    bottom_codes = codes[: respondents.bottom_end]
    top_codes = codes[respondents.middle_end :]
    options = []
    for code, text in enumerate(choices):
        count = codes.count(code)
        top, bottom = top_codes.count(code), bottom_codes.count(code)
        options.append(
            OptionStats(
                text=text,
                correct=text in correct_texts if correct_texts else code in correct,
                count=count,
                ratio=count / n if n else 0.0,
                top=top,
                middle=count - top - bottom,
                bottom=bottom,
                point_biserial=canvas_point_biserial(
                    count, sums[code], n, respondents.score_sum, respondents.score_sd
                ),
            )
        )
    seen = set(choices)
    for text in known_options:
        if text not in seen:
            options.append(OptionStats(text, text in correct_texts, 0, 0.0, 0, 0, 0, None))
    # correct answers first, then by popularity (Canvas lists the correct answer first too)
    options.sort(key=lambda o: (not o.correct, -o.count, o.text))
    return tuple(options)
