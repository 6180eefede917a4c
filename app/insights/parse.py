"""Reading any supported quiz report: detect its format and hand it to the right parser."""

from __future__ import annotations

from collections.abc import Iterable

from app.insights.item_analysis import (
    CanvasItemAnalysis,
    is_item_analysis_header,
    parse_item_analysis,
)
from app.insights.source import ParseError, RecordReader, open_text
from app.insights.student_analysis import is_student_analysis_header, parse_student_analysis
from app.insights.table import ResponseTable

ParsedReport = ResponseTable | CanvasItemAnalysis

__all__ = ["ParseError", "ParsedReport", "parse_report"]


def parse_report(source: Iterable[bytes] | bytes | str) -> ParsedReport:
    """Parse a Student Analysis or Item Analysis report (classic or New Quizzes, CSV or JSON).

    Raises:
        ParseError: the content is not a report this tool understands, with the line number.
    """
    text = open_text(source)
    reader = RecordReader(text)
    if is_item_analysis_header(reader.header):
        return parse_item_analysis(reader)
    if is_student_analysis_header(reader.header):
        return parse_student_analysis(reader)
    raise ParseError("not a quiz report: expected a Student Analysis or Item Analysis header", 1)
