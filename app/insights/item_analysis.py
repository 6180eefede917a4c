"""Parser for Canvas's classic Item Analysis CSV (reports-api.md section 3.7).

Canvas computes these numbers itself (first attempts, MC/TF items only); the tool shows them
as they are and derives the upper/lower discrimination index from the group counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.insights.headers import ITEM_COLUMNS
from app.insights.source import ParseError, RecordReader

#: Canvas's fixed columns (English names, for messages); Spanish ones in headers.py.
_COLUMNS = tuple(names[0] for names in ITEM_COLUMNS)
#: A header is Canvas's when its first column is known and at most this many of the other
#: fixed columns have names the tool does not know (a locale it has no names for).
_UNKNOWN_NAMES_ALLOWED = 4


@dataclass(frozen=True, slots=True)
class CanvasItemRow:
    """One row of Canvas's Item Analysis CSV, typed."""

    question_id: str
    title: str
    answered: int
    top: int
    middle: int
    bottom: int
    question_count: int
    correct: int
    wrong: int
    correct_ratio: float
    wrong_ratio: float
    correct_top: int
    correct_middle: int
    correct_bottom: int
    variance: float
    standard_deviation: float
    difficulty: float
    alpha: float | None
    point_biserial_correct: float | None
    point_biserial_distractors: tuple[float | None, ...]

    @property
    def discrimination(self) -> float | None:
        """Upper-lower index D = p(top) - p(bottom) from Canvas's own group counts."""
        if self.top == 0 or self.bottom == 0:
            return None
        return self.correct_top / self.top - self.correct_bottom / self.bottom


@dataclass(frozen=True, slots=True)
class CanvasItemAnalysis:
    """A parsed Item Analysis CSV: Canvas's numbers, one row per MC/TF question."""

    rows: tuple[CanvasItemRow, ...]

    @property
    def alpha(self) -> float | None:
        return self.rows[0].alpha if self.rows else None


def _unknown_names(header: Sequence[str]) -> list[int]:
    """Positions of Canvas's fixed columns whose name is not known in any language."""
    lowered = [h.strip().lower() for h in header[: len(ITEM_COLUMNS)]]
    return [i for i, name in enumerate(lowered) if name not in ITEM_COLUMNS[i]]


def is_item_analysis_header(header: Sequence[str]) -> bool:
    """Canvas's classic Item Analysis: first column ``Question Id`` in a language Canvas uses,
    or Canvas's fixed columns with at most a few names the tool does not know."""
    if header and header[0].strip().lower() in ITEM_COLUMNS[0]:
        return True
    unknown = _unknown_names(header)
    return len(header) >= len(ITEM_COLUMNS) and len(unknown) <= _UNKNOWN_NAMES_ALLOWED


def _check_header(header: Sequence[str]) -> None:
    """Columns are read by Canvas's fixed positions; names are checked in every known language.

    Raises:
        ParseError: too few columns, or more unknown names than a translation would explain.
    """
    if len(header) < len(ITEM_COLUMNS):
        raise ParseError(f"Item Analysis header: expected column {_COLUMNS[len(header)]!r}", 1)
    unknown = _unknown_names(header)
    if len(unknown) > _UNKNOWN_NAMES_ALLOWED:
        raise ParseError(f"Item Analysis header: expected column {_COLUMNS[unknown[0]]!r}", 1)


def _int(cell: str, what: str, line: int) -> int:
    try:
        return int(float(cell))
    except ValueError:
        raise ParseError(f"{what}: expected a count, found {cell[:40]!r}", line) from None


def _float(cell: str, what: str, line: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ParseError(f"{what}: expected a number, found {cell[:40]!r}", line) from None
    if math.isnan(value):
        raise ParseError(f"{what}: expected a number, found NaN", line)
    return value


def _optional(cell: str, what: str, line: int) -> float | None:
    # Canvas leaves a point biserial blank when a group is empty and prints N/A for alpha.
    if cell.strip() in {"", "N/A", "NaN"}:
        return None
    return _float(cell, what, line)


def parse_item_analysis(reader: RecordReader) -> CanvasItemAnalysis:
    """Read Canvas's Item Analysis rows.

    Raises:
        ParseError: missing columns or a cell that is not a number.
    """
    _check_header(reader.header)
    rows = []
    for row in reader:
        line = reader.line
        counts = [_int(row[i], _COLUMNS[i], line) for i in (2, 3, 4, 5, 6, 7, 8, 11, 12, 13)]
        rows.append(
            CanvasItemRow(
                question_id=row[0],
                title=row[1],
                answered=counts[0],
                top=counts[1],
                middle=counts[2],
                bottom=counts[3],
                question_count=counts[4],
                correct=counts[5],
                wrong=counts[6],
                correct_ratio=_float(row[9], _COLUMNS[9], line),
                wrong_ratio=_float(row[10], _COLUMNS[10], line),
                correct_top=counts[7],
                correct_middle=counts[8],
                correct_bottom=counts[9],
                variance=_float(row[14], _COLUMNS[14], line),
                standard_deviation=_float(row[15], _COLUMNS[15], line),
                difficulty=_float(row[16], _COLUMNS[16], line),
                alpha=_optional(row[17], _COLUMNS[17], line),
                point_biserial_correct=_optional(row[18], _COLUMNS[18], line),
                point_biserial_distractors=tuple(
                    _optional(cell, f"column {i + 20}", line) for i, cell in enumerate(row[19:])
                ),
            )
        )
    return CanvasItemAnalysis(rows=tuple(rows))
