"""Heuristic flags on items and options; thresholds are documented in docs/insights.md.

A flag carries a code and its numbers; the wording lives once, in ``MESSAGES`` (English,
marked with ``N_`` for translation catalogues; the web layer translates and fills it in).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.insights.distractors import OptionStats
from app.insights.items import ItemStats


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark ``message`` for extraction into translation catalogues; returns it unchanged."""
    return message


MESSAGES: dict[str, str] = {
    "no_responses": N_("Nobody answered this question."),
    "few_respondents": N_("Only %(count)d answers: the statistics are unstable."),
    "hard": N_("Hard: p = %(p).2f (< %(limit)s)."),
    "easy": N_("Easy: p = %(p).2f (> %(limit)s)."),
    "negative_discrimination": N_(
        "The bottom group did better than the top group (D = %(d).2f): check the key."
    ),
    "low_discrimination": N_("Low discrimination: D = %(d).2f (< %(limit)s)."),
    "weak_item_rest": N_("Item-rest correlation %(r).2f (< %(limit)s)."),
    "alpha_rises_without": N_("Alpha would rise from %(alpha).2f to %(without).2f without it."),
    "unused_distractor": N_("Nobody chose “%(answer)s”."),
    "rare_distractor": N_("“%(answer)s” was chosen by %(share).0f%% (< %(limit).0f%%)."),
    "distractor_attracts_top": N_(
        "“%(answer)s” attracts more of the top group (%(top).0f%%) "
        "than of the bottom group (%(bottom).0f%%)."
    ),
    "positive_distractor": N_(
        "“%(answer)s” has a positive point-biserial (%(r).2f): stronger students chose it."
    ),
}


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
    """One heuristic finding: ``code`` names the rule, ``params`` fill its message."""

    code: str
    severity: Severity
    params: tuple[tuple[str, str | float], ...] = ()

    @property
    def values(self) -> dict[str, str | float]:
        return dict(self.params)

    @property
    def message(self) -> str:
        """The English message (the web layer translates ``MESSAGES[code]`` instead)."""
        return MESSAGES[self.code] % self.values


def flag(code: str, severity: Severity, **params: str | float) -> Flag:
    return Flag(code, severity, tuple(params.items()))


def answer_label(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _option_flags(option: OptionStats, item: ItemStats, t: Thresholds) -> list[Flag]:
    if option.correct:
        return []
    flags = []
    label = answer_label(option.text)
    if option.count == 0:
        flags.append(flag("unused_distractor", Severity.NOTE, answer=label))
    elif option.ratio < t.rare_option_below and item.respondents >= t.min_respondents:
        flags.append(
            flag(
                "rare_distractor",
                Severity.NOTE,
                answer=label,
                share=100 * option.ratio,
                limit=100 * t.rare_option_below,
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
                flag(
                    "distractor_attracts_top",
                    Severity.REVIEW,
                    answer=label,
                    top=100 * top_share,
                    bottom=100 * bottom_share,
                )
            )
    return flags


def difficulty_flags(p: float | None, d: float | None, t: Thresholds) -> list[Flag]:
    """The p and D bands, shared with item analyses Canvas computed (reported.py)."""
    flags = []
    if p is not None and p < t.hard_below:
        flags.append(flag("hard", Severity.REVIEW, p=p, limit=t.hard_below))
    if p is not None and p > t.easy_above:
        flags.append(flag("easy", Severity.NOTE, p=p, limit=t.easy_above))
    if d is not None and d < 0:
        flags.append(flag("negative_discrimination", Severity.REVIEW, d=d))
    elif d is not None and d < t.low_discrimination_below:
        flags.append(
            flag("low_discrimination", Severity.REVIEW, d=d, limit=t.low_discrimination_below)
        )
    return flags


def item_flags(item: ItemStats, alpha: float | None, t: Thresholds) -> tuple[Flag, ...]:
    """Flags for one item; each is a prompt to look, not a verdict."""
    if item.respondents == 0:
        return (flag("no_responses", Severity.NOTE),)
    flags: list[Flag] = []
    if item.respondents < t.min_respondents:
        flags.append(flag("few_respondents", Severity.NOTE, count=item.respondents))
    flags += difficulty_flags(item.difficulty, item.discrimination, t)
    r = item.item_rest
    if r is not None and r < t.weak_item_rest_below:
        severity = Severity.REVIEW if r < 0 else Severity.NOTE
        flags.append(flag("weak_item_rest", severity, r=r, limit=t.weak_item_rest_below))
    if (
        alpha is not None
        and item.alpha_if_deleted is not None
        and item.alpha_if_deleted > alpha + t.alpha_gain_above
    ):
        flags.append(
            flag("alpha_rises_without", Severity.REVIEW, alpha=alpha, without=item.alpha_if_deleted)
        )
    for option in item.options:
        flags.extend(_option_flags(option, item, t))
    return tuple(flags)
