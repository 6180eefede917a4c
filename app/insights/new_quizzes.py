"""Parsers for New Quizzes reports in the shapes of docs/emulator-quizzes.md.

Canvas does not document the New Quizzes report files (reports-api.md section 4); the
emulator defines them close to the classic ones. The Student Analysis CSV goes through the
classic parser (same column pairs); this module reads the JSON student analysis and both item
analysis formats.
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from app.insights.reported import ReportedItem, ReportedItemAnalysis, ReportedOption
from app.insights.source import ParseError, RecordReader
from app.insights.table import BLANK, NOT_SHOWN, Question, ReportKind, ResponseTable

ITEM_ANALYSIS_FIRST_COLUMN = "item_id"


def _number(value: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ParseError(f"{what}: expected a number, found {str(value)[:40]!r}")
    try:
        number = float(value)
    except ValueError:
        raise ParseError(f"{what}: expected a number, found {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise ParseError(f"{what}: expected a finite number")
    return number


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(f"{what}: expected an object")
    return value


def _list(value: Any, what: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ParseError(f"{what}: expected a list")
    return value


def parse_json(text: str) -> ResponseTable | ReportedItemAnalysis:
    """A New Quizzes JSON report (student or item analysis).

    Raises:
        ParseError: not JSON, or not one of the two report shapes.
    """
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON ({exc.msg})", exc.lineno) from None
    body = _object(body, "report")
    kind = body.get("report_type")
    if kind == "student_analysis":
        return _student_analysis(body)
    if kind == "item_analysis":
        return _item_analysis(body)
    raise ParseError("JSON report_type must be 'student_analysis' or 'item_analysis'")


def _questions(items: Sequence[Any]) -> tuple[Question, ...]:
    questions = []
    for position, raw in enumerate(items):
        item = _object(raw, f"items[{position}]")
        points = _number(item.get("points_possible"), f"items[{position}].points_possible")
        questions.append(
            Question(
                id=str(item.get("id")),
                text=str(item.get("title") or ""),
                points_possible=points or 0.0,
                position=position,
                question_type=str(item["type"]) if item.get("type") else None,
            )
        )
    return tuple(questions)


def _student_analysis(body: Mapping[str, Any]) -> ResponseTable:
    questions = _questions(_list(body.get("items"), "items"))
    index = {q.id: i for i, q in enumerate(questions)}
    lookups: list[dict[str, int]] = [{} for _ in questions]
    texts: list[list[str]] = [[] for _ in questions]
    respondents: list[str | None] = []
    sections: list[tuple[str, ...]] = []
    scores = array("d")
    points_rows: list[list[float]] = []
    code_rows: list[list[int]] = []
    for s, raw in enumerate(_list(body.get("students"), "students")):
        student = _object(raw, f"students[{s}]")
        earned = [0.0] * len(questions)
        codes = [NOT_SHOWN] * len(questions)
        for r, raw_response in enumerate(_list(student.get("responses"), f"students[{s}]")):
            response = _object(raw_response, f"students[{s}].responses[{r}]")
            q = index.get(str(response.get("item_id")))
            if q is None:
                raise ParseError(f"students[{s}].responses[{r}]: unknown item_id")
            points = _number(response.get("points"), f"students[{s}].responses[{r}].points")
            answer = response.get("answer")
            if answer is None and points is None:
                continue
            earned[q] = points or 0.0
            if not answer:
                codes[q] = BLANK
                continue
            text = str(answer)
            code = lookups[q].get(text)
            if code is None:
                code = lookups[q][text] = len(texts[q])
                texts[q].append(text)
            codes[q] = code
        score = _number(student.get("score"), f"students[{s}].score")
        scores.append(math.fsum(earned) if score is None else score)
        user = student.get("user_id")
        respondents.append(None if user is None else f"id:{user}")
        raw_sections = student.get("sections") or []
        sections.append(tuple(str(name) for name in _list(raw_sections, f"students[{s}].sections")))
        points_rows.append(earned)
        code_rows.append(codes)
    return ResponseTable(
        kind=ReportKind.NEW_QUIZZES_STUDENT_ANALYSIS,
        questions=questions,
        choices=tuple(tuple(t) for t in texts),
        respondents=tuple(respondents),
        attempts=tuple(None for _ in respondents),
        scores=scores,
        points=tuple(points_rows),
        codes=tuple(code_rows),
        has_attempt_column=False,
        anonymous=all(r is None for r in respondents) and bool(respondents),
        section_ids=tuple(sections),
        section_names=tuple((name, name) for name in sorted({n for row in sections for n in row})),
    )


def _answers(raw: Any, what: str) -> tuple[ReportedOption, ...]:
    options = []
    for a, item in enumerate(_list(raw or [], what)):
        answer = _object(item, f"{what}[{a}]")
        count = _number(answer.get("count"), f"{what}[{a}].count")
        options.append(
            ReportedOption(
                label=str(answer.get("text") or ""),
                correct=bool(answer.get("correct")),
                count=None if count is None else int(count),
                ratio=_number(answer.get("ratio"), f"{what}[{a}].ratio"),
                point_biserial=None,
            )
        )
    return tuple(options)


def _reported_item(
    item: Mapping[str, Any], what: str, options: tuple[ReportedOption, ...]
) -> ReportedItem:
    responses = _number(item.get("responses"), f"{what}.responses")
    return ReportedItem(
        question_id=str(item.get("item_id")),
        title=str(item.get("item_title") or ""),
        item_type=str(item["item_type"]) if item.get("item_type") else None,
        respondents=int(responses or 0),
        difficulty=_number(item.get("difficulty_index"), f"{what}.difficulty_index"),
        discrimination=_number(item.get("discrimination_index"), f"{what}.discrimination_index"),
        point_biserial=_number(item.get("point_biserial"), f"{what}.point_biserial"),
        variance=_number(item.get("variance"), f"{what}.variance"),
        standard_deviation=_number(item.get("standard_deviation"), f"{what}.standard_deviation"),
        options=options,
    )


def _item_analysis(body: Mapping[str, Any]) -> ReportedItemAnalysis:
    summary = _object(body.get("summary") or {}, "summary")
    items = []
    for i, raw in enumerate(_list(body.get("items"), "items")):
        item = _object(raw, f"items[{i}]")
        items.append(
            _reported_item(
                item, f"items[{i}]", _answers(item.get("answers"), f"items[{i}].answers")
            )
        )
    respondents = _number(summary.get("respondents"), "summary.respondents")
    return ReportedItemAnalysis(
        source="new_quizzes",
        alpha=_number(summary.get("alpha"), "summary.alpha"),
        respondents=None if respondents is None else int(respondents),
        mean_score=_number(summary.get("mean_score"), "summary.mean_score"),
        standard_deviation=_number(summary.get("standard_deviation"), "summary.standard_deviation"),
        items=tuple(items),
    )


def is_item_analysis_csv_header(header: Sequence[str]) -> bool:
    return bool(header) and header[0].strip().lower() == ITEM_ANALYSIS_FIRST_COLUMN


def is_new_quizzes_student_header(header: Sequence[str]) -> bool:
    lowered = {h.lower() for h in header}
    return "user_id" in lowered or "time_spent_seconds" in lowered


def parse_item_analysis_csv(reader: RecordReader) -> ReportedItemAnalysis:
    """The New Quizzes Item Analysis CSV: item columns, then answer_<n>_text/correct/count.

    Raises:
        ParseError: a row with the wrong width or a cell that is not a number.
    """
    header = [h.lower() for h in reader.header]
    answer_columns = [
        i for i, h in enumerate(header) if h.startswith("answer_") and h.endswith("_text")
    ]
    items = []
    for row in reader:
        line = reader.line
        cells = dict(zip(header, row, strict=True))
        options = []
        for column in answer_columns:
            if row[column] == "" and row[column + 2] == "":
                continue
            try:
                count = _number(row[column + 2], f"column {column + 3}")
            except ParseError as exc:
                raise ParseError(exc.message, line) from None
            options.append(
                ReportedOption(row[column], row[column + 1].lower() == "true",
                               None if count is None else int(count), None, None)
            )  # fmt: skip
        try:
            items.append(_reported_item(cells, header[0], tuple(options)))
        except ParseError as exc:
            raise ParseError(exc.message, line) from None
    return ReportedItemAnalysis("new_quizzes", None, None, None, None, tuple(items))
