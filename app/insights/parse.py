"""Reading any supported quiz report: detect its format and hand it to the right parser."""

from __future__ import annotations

from collections.abc import Iterable

from app.insights import new_quizzes
from app.insights.item_analysis import (
    CanvasItemAnalysis,
    is_item_analysis_header,
    parse_item_analysis,
)
from app.insights.reported import ReportedItemAnalysis, from_canvas
from app.insights.source import ParseError, RecordReader, first_line, open_text
from app.insights.student_analysis import is_student_analysis_header, parse_student_analysis
from app.insights.table import ReportKind, ResponseTable

ParsedReport = ResponseTable | ReportedItemAnalysis

__all__ = ["ParseError", "ParsedReport", "parse_canvas_item_analysis", "parse_report"]

Source = Iterable[bytes] | bytes | str


def parse_report(source: Source) -> ParsedReport:
    """Parse a Student Analysis or Item Analysis report (classic or New Quizzes, CSV or JSON).

    Student analyses become a ``ResponseTable`` for the tool's own statistics; item analyses
    (numbers Canvas computed) become a ``ReportedItemAnalysis``.

    Raises:
        ParseError: the content is not a report this tool understands, with the line number.
    """
    text = open_text(source)
    first = first_line(text)
    if first.lstrip().startswith(("{", "[")):
        try:
            rest = text.read()
        except UnicodeDecodeError as exc:
            raise ParseError("the file is not UTF-8 text") from exc
        return new_quizzes.parse_json(first + rest)
    reader = RecordReader(text, first)
    if is_item_analysis_header(reader.header):
        return from_canvas(parse_item_analysis(reader))
    if new_quizzes.is_item_analysis_csv_header(reader.header):
        return new_quizzes.parse_item_analysis_csv(reader)
    if is_student_analysis_header(reader.header):
        kind = (
            ReportKind.NEW_QUIZZES_STUDENT_ANALYSIS
            if new_quizzes.is_new_quizzes_student_header(reader.header)
            else ReportKind.CLASSIC_STUDENT_ANALYSIS
        )
        return parse_student_analysis(reader, kind)
    raise ParseError("not a quiz report: expected a Student Analysis or Item Analysis header", 1)


def parse_canvas_item_analysis(source: Source) -> CanvasItemAnalysis:
    """Canvas's classic Item Analysis CSV with every column typed (for comparisons).

    Raises:
        ParseError: not an Item Analysis CSV.
    """
    text = open_text(source)
    reader = RecordReader(text, first_line(text))
    if not is_item_analysis_header(reader.header):
        raise ParseError("not an Item Analysis CSV: expected Canvas's Item Analysis columns", 1)
    return parse_item_analysis(reader)
