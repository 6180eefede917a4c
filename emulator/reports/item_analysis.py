"""Classic quiz Item Analysis, computed exactly like Canvas (reports-api.md §3.7).

Port of ``Quizzes::QuizStatistics::ItemAnalysis`` (``item_analysis.rb``), ``.../item.rb`` and
``.../summary.rb`` (canvas-lms). The statistics are pure functions of plain records so they can be
checked against hand-computed values; ``item_analysis_csv(quiz, submissions)`` is the entry point
for the emulator's store records (and for anyone comparing numbers with the emulator's CSV).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from emulator.reports.quiz_format import (
    RubyValue,
    csv_line,
    ruby_round,
    ruby_sum,
    simple_variance,
    strip_tags,
)
from emulator.store import Quiz, QuizSubmission

ANALYSABLE_TYPES = ("multiple_choice_question", "true_false_question")
MIN_STATS_FOR_ALPHA = 15
BUCKETS: tuple[tuple[str, float], ...] = (("top", 0.73), ("middle", 0.27), ("bottom", 0.0))
COMPLETED_STATES = ("complete", "pending_review")

HEADER = (
    "Question Id",
    "Question Title",
    "Answered Student Count",
    "Top Student Count",
    "Middle Student Count",
    "Bottom Student Count",
    "Quiz Question Count",
    "Correct Student Count",
    "Wrong Student Count",
    "Correct Student Ratio",
    "Wrong Student Ratio",
    "Correct Top Student Count",
    "Correct Middle Student Count",
    "Correct Bottom Student Count",
    "Variance",
    "Standard Deviation",
    "Difficulty Index",
    "Alpha",
    "Point Biserial of Correct",
)


@dataclass(frozen=True)
class ItemQuestion:
    """A question as stored in the quiz data; ``answers`` are (id, weight) in stored order."""

    id: int
    position: int | None
    question_type: str
    question_text: str
    points_possible: float
    answers: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class ItemAttempt:
    """One student's analysed attempt: total score and chosen answer id per question."""

    respondent_id: int
    score: float
    choices: Mapping[int, int | None]


@dataclass
class _Item:
    question: ItemQuestion
    answers: list[int]  # sorted, correct first
    scores: list[float] = field(default_factory=list)
    respondents: list[int] = field(default_factory=list)
    by_answer: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, question: ItemQuestion) -> _Item:
        ranked = sorted(enumerate(question.answers), key=lambda pair: (-pair[1][1], pair[0]))
        return cls(question=question, answers=[answer_id for _, (answer_id, _w) in ranked])

    def add(self, answer_id: int | None, respondent: int) -> None:
        if answer_id is None:  # blanks don't count for item stats
            return
        correct = bool(self.answers) and answer_id == self.answers[0]
        self.scores.append(self.question.points_possible if correct else 0)
        self.respondents.append(respondent)
        self.by_answer.setdefault(answer_id, []).append(respondent)


@dataclass(frozen=True)
class ItemRow:
    """One CSV row (Ruby-typed values: ``0`` int where Canvas yields an Integer)."""

    question_id: int
    question_title: str
    answered: int
    top: int
    middle: int
    bottom: int
    question_count: int
    correct: int
    wrong: int
    correct_ratio: float | int
    wrong_ratio: float | int
    correct_top: int
    correct_middle: int
    correct_bottom: int
    variance: float | int
    standard_deviation: float
    difficulty_index: float | int
    alpha: float | None
    point_biserials: tuple[float | None, ...]


@dataclass(frozen=True)
class ItemAnalysis:
    rows: tuple[ItemRow, ...]
    buckets: Mapping[str, tuple[int, ...]]
    alpha: float | None  # as printed: None when N/A
    point_biserial_columns: int

    def header(self) -> list[str]:
        extra = [
            f"Point Biserial of Distractor {n + 2}"
            for n in range(max(self.point_biserial_columns - 1, 0))
        ]
        return [*HEADER, *extra]

    def to_csv(self) -> str:
        lines = [csv_line(self.header())]
        for row in self.rows:
            values: list[RubyValue] = [
                row.question_id,
                row.question_title,
                row.answered,
                row.top,
                row.middle,
                row.bottom,
                row.question_count,
                row.correct,
                row.wrong,
                row.correct_ratio,
                row.wrong_ratio,
                row.correct_top,
                row.correct_middle,
                row.correct_bottom,
                row.variance,
                row.standard_deviation,
                row.difficulty_index,
                row.alpha if row.alpha is not None else "N/A",
            ]
            for n in range(self.point_biserial_columns):
                values.append(row.point_biserials[n] if n < len(row.point_biserials) else None)
            lines.append(csv_line(values))
        return "".join(lines)


def rank_buckets(scores: Mapping[int, float],
                 cutoffs: Sequence[tuple[str, float]] = BUCKETS) -> dict[str, tuple[int, ...]]:
    """Top >= 73rd percentile, middle, bottom < 27th; ties go to the higher bucket."""
    ranked = sorted(scores.items(), key=lambda pair: pair[1])
    previous_floor = len(ranked)
    buckets: dict[str, tuple[int, ...]] = {}
    for name, cutoff in cutoffs:
        floor = ruby_round(cutoff * len(ranked))
        floor_score = ranked[floor][1] if floor < len(ranked) else None
        while floor > 0 and ranked[floor - 1][1] == floor_score:
            floor -= 1
        buckets[name] = tuple(rid for rid, _score in ranked[floor:previous_floor])
        previous_floor = floor
    return buckets


def _mean(scores: Mapping[int, float], ids: Sequence[int]) -> float | None:
    if not ids:
        return None
    return float(ruby_sum([scores[i] for i in ids if i in scores])) * 1.0 / len(ids)


def _sd(scores: Mapping[int, float], ids: Sequence[int]) -> float:
    return math.sqrt(simple_variance([scores[rid] for rid in ids if rid in scores]))


def _ratio(part: int, whole: int) -> float | int:
    return part / whole if whole else 0  # Ruby: NaN -> 0 (an Integer)


def _point_biserial(item: _Item, answer_id: int, scores: Mapping[int, float]) -> float | None:
    these = item.by_answer.get(answer_id, [])
    chosen = set(these)
    others = [rid for rid in item.respondents if rid not in chosen]
    mean, mean_other = _mean(scores, these), _mean(scores, others)
    if mean is None or mean_other is None:
        return None
    ratio = len(these) / len(item.respondents)
    sd = _sd(scores, item.respondents)
    diff = mean - mean_other
    # Ruby float division by zero gives NaN or Infinity instead of raising.
    nonfinite = math.nan if diff == 0 else math.copysign(math.inf, diff)
    quotient = nonfinite if sd == 0 else diff / sd
    return quotient * math.sqrt(ratio * (1 - ratio))


def _aggregate(questions: Sequence[ItemQuestion],
               attempts: Sequence[ItemAttempt]) -> tuple[dict[int, float], dict[int, _Item]]:
    """``Summary#aggregate_data``: respondents' scores and one item per analysable question."""
    scores: dict[int, float] = {}
    items: dict[int, _Item] = {}
    for attempt in attempts:
        scores[attempt.respondent_id] = attempt.score
        for question in questions:
            if question.question_type not in ANALYSABLE_TYPES:
                continue
            item = items.setdefault(question.id, _Item.build(question))
            item.add(attempt.choices.get(question.id), attempt.respondent_id)
    return scores, items


def cronbach_alpha(questions: Sequence[ItemQuestion],
                   attempts: Sequence[ItemAttempt]) -> float | None:
    """``Summary#alpha`` whatever the item count (the CSV prints it only above 15 items)."""
    scores, items = _aggregate(questions, attempts)
    return _alpha(list(items.values()), scores)


def analyse(questions: Sequence[ItemQuestion], attempts: Sequence[ItemAttempt]) -> ItemAnalysis:
    """The whole Item Analysis for one set of analysed attempts."""
    scores, items = _aggregate(questions, attempts)
    ordered = sorted(
        items.values(),
        key=lambda it: (
            it.question.position if it.question.position is not None else 10000,
            strip_tags(it.question.question_text),
            it.question.id,
            -len(it.respondents),
        ),
    )
    buckets = rank_buckets(scores)
    alpha = _alpha(ordered, scores) if len(ordered) > MIN_STATS_FOR_ALPHA else None
    rows = tuple(_row(item, len(ordered), buckets, scores, alpha) for item in ordered)
    columns = max((len(item.answers) for item in ordered), default=0)
    return ItemAnalysis(rows=rows, buckets=buckets, alpha=alpha, point_biserial_columns=columns)


def _alpha(items: Sequence[_Item], scores: Mapping[int, float]) -> float | None:
    total_variance = simple_variance(list(scores.values()))
    if len(items) > 1 and total_variance != 0:
        variance_sum = ruby_sum([simple_variance(item.scores) for item in items])
        return len(items) / (len(items) - 1.0) * (1 - (variance_sum / total_variance))
    return None


def _row(
    item: _Item,
    count: int,
    buckets: Mapping[str, tuple[int, ...]],
    scores: Mapping[int, float],
    alpha: float | None,
) -> ItemRow:
    respondents = item.respondents
    correct_ids = set(item.by_answer.get(item.answers[0], [])) if item.answers else set()
    correct = [rid for rid in respondents if rid in correct_ids]
    wrong = [rid for rid in respondents if rid not in correct_ids]

    def in_bucket(ids: Iterable[int], name: str) -> int:
        members = set(buckets[name])
        return sum(1 for rid in ids if rid in members)

    variance = simple_variance(item.scores)
    correct_ratio = _ratio(len(correct), len(respondents))  # also Canvas's difficulty index
    return ItemRow(
        question_id=item.question.id,
        question_title=strip_tags(item.question.question_text),
        answered=len(respondents),
        top=in_bucket(respondents, "top"),
        middle=in_bucket(respondents, "middle"),
        bottom=in_bucket(respondents, "bottom"),
        question_count=count,
        correct=len(correct),
        wrong=len(wrong),
        correct_ratio=correct_ratio,
        wrong_ratio=_ratio(len(wrong), len(respondents)),
        correct_top=in_bucket(correct, "top"),
        correct_middle=in_bucket(correct, "middle"),
        correct_bottom=in_bucket(correct, "bottom"),
        variance=variance,
        standard_deviation=math.sqrt(variance),
        difficulty_index=correct_ratio,
        alpha=alpha,
        point_biserials=tuple(_point_biserial(item, a, scores) for a in item.answers),
    )


# ---------------------------------------------------------------- store adapters


def item_questions(quiz: Quiz) -> list[ItemQuestion]:
    return [
        ItemQuestion(
            id=q.id,
            position=q.position,
            question_type=q.question_type,
            question_text=q.question_text,
            points_possible=q.points_possible,
            answers=tuple((a.id, a.weight) for a in q.answers),
        )
        for q in quiz.questions
    ]


def first_submitted_attempts(submissions: Iterable[QuizSubmission]) -> list[QuizSubmission]:
    """Each student's first *submitted* attempt (``qs.submitted_attempts.first``).

    Logged-out submissions (no user) are not students' and are skipped, as Canvas's
    ``quiz_submissions.for_students`` does.
    """
    first: dict[int, QuizSubmission] = {}
    for sub in sorted(submissions, key=lambda s: (s.user_id or 0, s.attempt)):
        if sub.user_id is None or sub.workflow_state not in COMPLETED_STATES:
            continue
        first.setdefault(sub.user_id, sub)
    return sorted(first.values(), key=lambda s: s.id)


def item_attempts(submissions: Iterable[QuizSubmission]) -> list[ItemAttempt]:
    return [
        ItemAttempt(
            respondent_id=sub.user_id or 0,
            score=sub.score,
            choices={qid: response.get("answer_id") for qid, response in sub.responses.items()},
        )
        for sub in first_submitted_attempts(submissions)
    ]


def item_analysis(quiz: Quiz, submissions: Iterable[QuizSubmission]) -> ItemAnalysis:
    return analyse(item_questions(quiz), item_attempts(submissions))


def item_analysis_csv(quiz: Quiz, submissions: Iterable[QuizSubmission]) -> str:
    """The Item Analysis CSV for ``quiz`` from its students' submissions (all attempts)."""
    return item_analysis(quiz, submissions).to_csv()
