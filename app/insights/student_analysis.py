"""Parser for Canvas's classic Student Analysis CSV (reports-api.md section 3.6)."""

from __future__ import annotations

import contextlib
import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from app.inputs import parse_id
from app.insights.headers import STUDENT_TAILS, student_column
from app.insights.source import ParseError, RecordReader
from app.insights.table import BLANK, NOT_SHOWN, Question, ReportKind, ResponseTable

_QUESTION_HEADER = re.compile(r"(\d+):\s?(.*)", re.DOTALL)
#: Distinct answer texts tracked per question; beyond this (free text) answers share one code.
MAX_CHOICES = 60
OTHER_ANSWERS = "(other answers)"


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where things are in a Student Analysis header."""

    first: int  # index of the first question's text column
    end: int  # index after the last question's points column
    id_col: int | None
    name_col: int | None
    attempt_col: int | None
    section_col: int | None
    section_id_col: int | None
    score_col: int
    questions: tuple[Question, ...]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def is_student_analysis_header(header: Sequence[str]) -> bool:
    """A Student Analysis header, recognised by structure as well as by name.

    Canvas writes the column names in the requester's language, so besides the known
    ``n correct, n incorrect, score`` (and translations) a header qualifies when it has the
    shape of one: question pairs ``"<id>: <text>", <points possible>`` ending exactly three
    columns (the counters ``n correct``, ``n incorrect``, ``score``) before the end.
    """
    if len(header) < 3:
        return False
    if tuple(h.strip().lower() for h in header[-3:]) in STUDENT_TAILS:
        return True
    end = len(header) - 3
    return (
        end >= 2
        and _QUESTION_HEADER.fullmatch(header[end - 2]) is not None
        and _is_number(header[end - 1])
    )


def _layout(header: Sequence[str]) -> _Layout:
    if not is_student_analysis_header(header):
        raise ParseError(
            "header does not end with question columns and 'n correct, n incorrect, score'", 1
        )
    first = next(
        (i for i, h in enumerate(header[:-3]) if _QUESTION_HEADER.fullmatch(h)), len(header) - 3
    )
    end = len(header) - 3
    if (end - first) % 2:
        raise ParseError("question columns must come in pairs (answer, points)", 1)
    questions = []
    for position, col in enumerate(range(first, end, 2)):
        match = _QUESTION_HEADER.fullmatch(header[col])
        if match is None:
            raise ParseError(
                f"column {col + 1}: expected '<question id>: <question text>', "
                f"found {header[col][:40]!r}",
                1,
            )
        try:
            points = float(header[col + 1])
        except ValueError:
            raise ParseError(
                f"column {col + 2}: expected the points possible of question {match[1]}, "
                f"found {header[col + 1][:40]!r}",
                1,
            ) from None
        if not math.isfinite(points) or points < 0:
            raise ParseError(f"column {col + 2}: invalid points possible {points}", 1)
        questions.append(Question(match[1], match[2].strip(), points, position))
    # the student columns: any order, in any language Canvas writes them in (headers.py)
    meta = [student_column(name) for name in header[:first]]
    unknown = next((i for i, name in enumerate(meta) if name is None), None)
    if unknown is not None:
        raise ParseError(
            f"column {unknown + 1}: expected '<question id>: <question text>' or a known "
            f"column, found {header[unknown][:40]!r}",
            1,
        )

    def column(name: str) -> int | None:
        return meta.index(name) if name in meta else None

    return _Layout(
        first=first,
        end=end,
        id_col=column("id") if "id" in meta else column("user_id"),
        name_col=column("name"),
        attempt_col=column("attempt"),
        section_col=column("section"),
        section_id_col=column("section_id"),
        score_col=len(header) - 1,
        questions=tuple(questions),
    )


def _number(cell: str, what: str, line: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ParseError(f"{what}: expected a number, found {cell[:40]!r}", line) from None
    if not math.isfinite(value):
        raise ParseError(f"{what}: expected a finite number, found {cell[:40]!r}", line)
    return value


class _Encoder:
    """Maps each question's answer texts to small integer codes as rows stream past."""

    def __init__(self, count: int) -> None:
        self.lookups: list[dict[str, int]] = [{"": BLANK} for _ in range(count)]
        self.texts: list[list[str]] = [[] for _ in range(count)]

    def encode(self, answers: list[str]) -> list[int]:
        codes: list[int | None] = list(map(dict.get, self.lookups, answers))
        if None in codes:
            for q, code in enumerate(codes):
                if code is None:
                    codes[q] = self._add(q, answers[q])
        return cast("list[int]", codes)  # every None was replaced above

    def _add(self, q: int, text: str) -> int:
        texts = self.texts[q]
        if len(texts) >= MAX_CHOICES:
            if texts[-1] != OTHER_ANSWERS:
                texts.append(OTHER_ANSWERS)
            return len(texts) - 1
        texts.append(text)
        self.lookups[q][text] = len(texts) - 1
        return len(texts) - 1


def parse_student_analysis(
    reader: RecordReader, kind: ReportKind = ReportKind.CLASSIC_STUDENT_ANALYSIS
) -> ResponseTable:
    """Read every attempt row; one pass, answers encoded on the fly.

    Raises:
        ParseError: header or a row does not have the Student Analysis shape.
    """
    layout = _layout(reader.header)
    first, end = layout.first, layout.end
    encoder = _Encoder(len(layout.questions))
    points_reader = _PointsReader()
    respondents: list[str | None] = []
    attempts: list[int | None] = []
    scores = array("d")
    points_rows: list[list[float]] = []
    code_rows: list[list[int]] = []
    sections = _Sections(layout)
    for row in reader:
        line = reader.line
        raw_points = row[first + 1 : end : 2]
        earned = points_reader.read(raw_points)
        if earned is None:
            earned = _slow_points(raw_points, layout, line)
        answers = row[first:end:2]
        codes = encoder.encode(answers)
        _mark_not_shown(codes, raw_points)
        score_cell = row[layout.score_col]
        scores.append(math.fsum(earned) if score_cell == "" else _number(score_cell, "score", line))
        attempts.append(_attempt(row, layout, line))
        respondents.append(_respondent(row, layout))
        points_rows.append(earned)
        code_rows.append(codes)
        sections.add(row)
    anonymous = layout.id_col is None and layout.name_col is None
    return ResponseTable(
        kind=kind,
        questions=layout.questions,
        choices=tuple(tuple(t) for t in encoder.texts),
        respondents=tuple(respondents),
        attempts=tuple(attempts),
        scores=scores,
        points=tuple(points_rows),
        codes=tuple(code_rows),
        # New Quizzes reports one (the latest) attempt per student: no attempt policy to pick
        has_attempt_column=layout.attempt_col is not None
        and kind is ReportKind.CLASSIC_STUDENT_ANALYSIS,
        anonymous=anonymous,
        section_ids=tuple(sections.rows),
        section_names=tuple(sorted(sections.names.items(), key=lambda pair: pair[1])),
    )


class _Sections:
    """Each row's section ids; names from the ``section`` column (both joined with ", ")."""

    def __init__(self, layout: _Layout) -> None:
        self._name_col = layout.section_col
        self._id_col = layout.section_id_col
        self.rows: list[tuple[str, ...]] = []
        self.names: dict[str, str] = {}
        self._seen: dict[str, tuple[str, ...]] = {}

    def add(self, row: list[str]) -> None:
        # New Quizzes CSVs have names only: the names then serve as ids
        id_col = self._id_col if self._id_col is not None else self._name_col
        if id_col is None:
            self.rows.append(())
            return
        cell = row[id_col]
        ids = self._seen.get(cell)
        if ids is None:
            ids = self._seen[cell] = tuple(i for i in cell.split(", ") if i)
            name_cell = row[self._name_col] if self._name_col is not None else ""
            # names may themselves contain ", ": one id takes the whole cell, several ids
            # only a one-to-one split
            names = [name_cell] if len(ids) == 1 else name_cell.split(", ")
            pairs = zip(ids, names, strict=True) if len(names) == len(ids) else ()
            for section_id, name in pairs:
                self.names.setdefault(section_id, name)
            for section_id in ids:
                self.names.setdefault(section_id, f"Section {section_id}")
        self.rows.append(ids)


class _PointsReader:
    """Converts a row's points cells; a cache of seen strings beats ``float()`` (few values)."""

    _LIMIT = 4096

    def __init__(self) -> None:
        # blank points (question not shown) count as 0; the answer codes keep the difference
        self._cache: dict[str, float] = {"": 0.0}

    def read(self, raw: list[str]) -> list[float] | None:
        """All cells numeric and finite (the common case) -> floats (shared objects); else None."""
        values = list(map(self._cache.get, raw))
        if None in values:
            if len(self._cache) > self._LIMIT:
                self._cache = {"": 0.0}
            for q, value in enumerate(values):
                if value is None:
                    try:
                        number = float(raw[q])
                    except ValueError:
                        return None
                    if not math.isfinite(number):
                        return None
                    self._cache[raw[q]] = values[q] = number
        return cast("list[float]", values)  # no None is left


def _mark_not_shown(codes: list[int], raw_points: list[str]) -> None:
    """A blank answer with blank points: the question was not part of the attempt."""
    q = 0
    with contextlib.suppress(ValueError):  # index() raises when no blank is left
        while True:
            q = codes.index(BLANK, q)
            if raw_points[q] == "":
                codes[q] = NOT_SHOWN
            q += 1


def _slow_points(raw: list[str], layout: _Layout, line: int) -> list[float]:
    earned: list[float] = []
    for q, cell in enumerate(raw):
        if cell == "":
            earned.append(0.0)
        else:
            earned.append(_number(cell, f"points of question {layout.questions[q].id}", line))
    return earned


def _attempt(row: list[str], layout: _Layout, line: int) -> int | None:
    if layout.attempt_col is None:
        return None
    cell = row[layout.attempt_col]
    attempt = parse_id(cell)
    if attempt is None:
        raise ParseError(f"attempt: expected a whole number, found {cell[:20]!r}", line)
    return attempt


def _respondent(row: list[str], layout: _Layout) -> str | None:
    if layout.id_col is not None and row[layout.id_col]:
        return "id:" + row[layout.id_col]
    if layout.name_col is not None and row[layout.name_col]:
        return "name:" + row[layout.name_col]
    return None
