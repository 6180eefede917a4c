"""Heuristic flags on items and options; thresholds are documented in docs/insights.md."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.insights.distractors import OptionStats
from app.insights.items import ItemStats


class Severity(StrEnum):
    REVIEW = "review"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Rules of thumb (Blackboard-style p and D bands, Haladyna's 5 % distractor rule)."""

    hard_below: float = 0.30
    easy_above: float = 0.80
    low_discrimination_below: float = 0.10
    weak_item_rest_below: float = 0.20
    alpha_gain_above: float = 0.01
    rare_option_below: float = 0.05
    min_respondents: int = 20
    #: A distractor "attracts the top group" only if at least this many top students chose it.
    min_top_choosers: int = 2


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    severity: Severity
    message: str


def _option_flags(option: OptionStats, item: ItemStats, t: Thresholds) -> list[Flag]:
    if option.correct:
        return []
    flags = []
    label = option.text if len(option.text) <= 40 else option.text[:39] + "…"
    if option.count == 0:
        flags.append(Flag("unused_distractor", Severity.NOTE, f"Nobody chose “{label}”."))
    elif option.ratio < t.rare_option_below and item.respondents >= t.min_respondents:
        flags.append(
            Flag(
                "rare_distractor",
                Severity.NOTE,
                f"“{label}” was chosen by {option.ratio:.0%} (< {t.rare_option_below:.0%}).",
            )
        )
    if (
        item.respondents >= t.min_respondents
        and item.top_respondents
        and item.bottom_respondents
        and option.top >= t.min_top_choosers
    ):
        top_share = option.top / item.top_respondents
        bottom_share = option.bottom / item.bottom_respondents
        if top_share > bottom_share:
            flags.append(
                Flag(
                    "distractor_attracts_top",
                    Severity.REVIEW,
                    f"“{label}” attracts more of the top group ({top_share:.0%}) "
                    f"than of the bottom group ({bottom_share:.0%}).",
                )
            )
    return flags


def item_flags(item: ItemStats, alpha: float | None, t: Thresholds) -> tuple[Flag, ...]:
    """Flags for one item; each is a prompt to look, not a verdict."""
    flags: list[Flag] = []
    if item.respondents == 0:
        return (Flag("no_responses", Severity.NOTE, "Nobody answered this question."),)
    if item.respondents < t.min_respondents:
        flags.append(
            Flag(
                "few_respondents",
                Severity.NOTE,
                f"Only {item.respondents} answers: the statistics are unstable.",
            )
        )
    p = item.difficulty
    if p is not None and p < t.hard_below:
        flags.append(Flag("hard", Severity.REVIEW, f"Hard: p = {p:.2f} (< {t.hard_below})."))
    if p is not None and p > t.easy_above:
        flags.append(Flag("easy", Severity.NOTE, f"Easy: p = {p:.2f} (> {t.easy_above})."))
    d = item.discrimination
    if d is not None and d < 0:
        flags.append(
            Flag(
                "negative_discrimination",
                Severity.REVIEW,
                f"The bottom group did better than the top group (D = {d:.2f}): check the key.",
            )
        )
    elif d is not None and d < t.low_discrimination_below:
        flags.append(
            Flag(
                "low_discrimination",
                Severity.REVIEW,
                f"Low discrimination: D = {d:.2f} (< {t.low_discrimination_below}).",
            )
        )
    r = item.item_rest
    if r is not None and r < t.weak_item_rest_below:
        flags.append(
            Flag(
                "weak_item_rest",
                Severity.REVIEW if r < 0 else Severity.NOTE,
                f"Item-rest correlation {r:.2f} (< {t.weak_item_rest_below}).",
            )
        )
    if (
        alpha is not None
        and item.alpha_if_deleted is not None
        and item.alpha_if_deleted > alpha + t.alpha_gain_above
    ):
        flags.append(
            Flag(
                "alpha_rises_without",
                Severity.REVIEW,
                f"Alpha would rise from {alpha:.2f} to {item.alpha_if_deleted:.2f} without it.",
            )
        )
    for option in item.options:
        flags.extend(_option_flags(option, item, t))
    return tuple(flags)
