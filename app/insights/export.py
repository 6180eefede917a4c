"""The item table as CSV (what the page shows, one row per question)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.csv_safety import neutralise
from app.insights.analysis import QuizInsights
from app.insights.flags import Thresholds
from app.insights.reported import ReportedItemAnalysis, reported_flags

ITEM_COLUMNS = (
    "question_id",
    "position",
    "question",
    "points_possible",
    "respondents",
    "blank",
    "not_shown",
    "scored_right_wrong",
    "difficulty",
    "upper_difficulty",
    "lower_difficulty",
    "discrimination",
    "point_biserial",
    "item_rest",
    "alpha_if_deleted",
    "variance",
    "flags",
)
REPORTED_COLUMNS = (
    "question_id",
    "question",
    "respondents",
    "difficulty",
    "discrimination",
    "point_biserial",
    "variance",
    "standard_deviation",
    "flags",
)
def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _lines(rows: Iterator[list[str]], header: tuple[str, ...]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def items_csv(insights: QuizInsights) -> Iterator[str]:
    """One CSV row per question, streamed line by line."""

    def rows() -> Iterator[list[str]]:
        for item in insights.items:
            s = item.stats
            yield [
                neutralise(s.question.id),
                str(s.question.position + 1),
                neutralise(s.question.text),
                _number(s.question.points_possible),
                str(s.respondents),
                str(s.blank),
                str(s.not_shown),
                "yes" if s.dichotomous else "no",
                _number(s.difficulty),
                _number(s.upper_difficulty),
                _number(s.lower_difficulty),
                _number(s.discrimination),
                _number(s.point_biserial),
                _number(s.item_rest),
                _number(s.alpha_if_deleted),
                _number(s.variance),
                "; ".join(f.code for f in item.flags),
            ]

    return _lines(rows(), ITEM_COLUMNS)


def reported_items_csv(
    analysis: ReportedItemAnalysis, thresholds: Thresholds | None = None
) -> Iterator[str]:
    """The numbers of a Canvas item analysis, with the tool's flags added."""
    thresholds = thresholds or Thresholds()

    def rows() -> Iterator[list[str]]:
        for item in analysis.items:
            yield [
                neutralise(item.question_id),
                neutralise(item.title),
                str(item.respondents),
                _number(item.difficulty),
                _number(item.discrimination),
                _number(item.point_biserial),
                _number(item.variance),
                _number(item.standard_deviation),
                "; ".join(f.code for f in reported_flags(item, thresholds)),
            ]

    return _lines(rows(), REPORTED_COLUMNS)


#: Characters Windows, macOS or Linux refuse (or treat specially) in a file name.
_UNSAFE = frozenset('<>:"/\\|?*')
#: Keep names well under the 255-byte limit of common filesystems (UTF-8 may use 4 bytes).
_MAX_CHARS = 120


def _safe_part(text: str) -> str:
    cleaned = "".join(
        " " if ch in _UNSAFE or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 else ch for ch in text
    )
    return " ".join(cleaned.split()).strip(" .")


def export_filename(parts: list[str], date: str, extension: str = "csv") -> str:
    """``"BIO101 - Cell Biology Midterm - item analysis (latest attempts) - 2026-12-06.csv"``.

    Each part loses characters filesystems refuse (``< > : " / \\ | ? *``, control
    characters) and repeated or edge spaces and dots; empty parts are left out and the
    name is shortened to a safe length before the date, which is always kept (so a stem is
    never a bare Windows device name such as ``CON``).
    """
    kept = [part for part in (_safe_part(p) for p in parts) if part]
    stem = " - ".join(kept)
    if len(stem) > _MAX_CHARS:
        stem = stem[:_MAX_CHARS].rstrip(" .-")
    stem = f"{stem} - {date}" if stem else date
    return f"{stem}.{extension}"
