"""The parsed form of a quiz report: one row per attempt, stored column-friendly for speed."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from enum import StrEnum

#: Answer code for a question that was shown but left blank (Canvas: no ``answer_id``).
BLANK = -1
#: Answer code for a question that was not part of the attempt (question groups, late edits).
NOT_SHOWN = -2


class ReportKind(StrEnum):
    """Which export a table came from; decides defaults such as the attempt policy."""

    CLASSIC_STUDENT_ANALYSIS = "classic_student_analysis"
    NEW_QUIZZES_STUDENT_ANALYSIS = "new_quizzes_student_analysis"


class AttemptPolicy(StrEnum):
    """Which attempts of each student are analysed."""

    FIRST = "first"
    LAST = "last"
    ALL = "all"
    #: Whatever the report contains (Canvas's kept attempt per student when it has no ``attempt``).
    AS_REPORTED = "as_reported"


@dataclass(frozen=True, slots=True)
class Question:
    """One question column pair of a report."""

    id: str
    text: str
    points_possible: float
    position: int
    #: Answer options known from the report itself (New Quizzes JSON); empty when unknown.
    options: tuple[str, ...] = ()
    #: Texts of the correct options when the report says so; empty when unknown.
    correct_options: tuple[str, ...] = ()
    #: Canvas question type when the report says (New Quizzes JSON); None for CSVs.
    question_type: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseTable:
    """Attempts as rows; per row the points and an answer code for every question.

    ``points[r][q]`` is the points the attempt earned on question ``q`` (0.0 when blank or not
    shown), ``codes[r][q]`` indexes ``choices[q]`` (or is ``BLANK`` / ``NOT_SHOWN``).
    Rows are lists whose floats and small ints are shared objects (the parser caches them),
    so a 10,000 x 200 report takes about 35 MB and transposes in one C-level slice per column.
    """

    kind: ReportKind
    questions: tuple[Question, ...]
    choices: tuple[tuple[str, ...], ...]
    respondents: tuple[str | None, ...]
    attempts: tuple[int | None, ...]
    scores: array[float]
    points: tuple[list[float], ...]
    codes: tuple[list[int], ...]
    has_attempt_column: bool
    anonymous: bool
    #: Per row: the ids of the student's sections (several when enrolled in more than one).
    section_ids: tuple[tuple[str, ...], ...] = ()
    #: Section id -> name, for the sections that appear in the report.
    section_names: tuple[tuple[str, str], ...] = ()

    @property
    def row_count(self) -> int:
        return len(self.points)

    def policies(self) -> tuple[AttemptPolicy, ...]:
        """The attempt policies this data can honour (first/last need attempts and identities)."""
        if self.has_attempt_column and not self.anonymous:
            return (AttemptPolicy.FIRST, AttemptPolicy.LAST, AttemptPolicy.ALL)
        return (AttemptPolicy.AS_REPORTED,)

    def default_policy(self) -> AttemptPolicy:
        """Canvas classic Item Analysis uses first attempts, New Quizzes the last one."""
        allowed = self.policies()
        if AttemptPolicy.AS_REPORTED in allowed:
            return AttemptPolicy.AS_REPORTED
        if self.kind is ReportKind.NEW_QUIZZES_STUDENT_ANALYSIS:
            return AttemptPolicy.LAST
        return AttemptPolicy.FIRST
