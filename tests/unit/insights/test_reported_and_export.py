"""Item analyses Canvas computed (flags on its numbers), chart data and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from app.insights.analysis import QuizInsights, analyse
from app.insights.charts import quiz_charts, reported_charts
from app.insights.export import items_csv, reported_items_csv
from app.insights.flags import Thresholds
from app.insights.parse import parse_canvas_item_analysis, parse_report
from app.insights.reported import ReportedItem, ReportedOption, from_canvas, reported_flags
from app.insights.table import ResponseTable
from tests.unit.insights.reports import dichotomous, student_analysis_csv
from tests.unit.insights.test_parse import ITEM_ANALYSIS

GUTTMAN = dichotomous(
    [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]],
    keys=["A", "T", "X"],
    choices=[["=cmd", "T", "X"], ["=cmd", "T", "Y"], ["=cmd", "F", "Y"], ["B", "F", "Z"]],
)


def _insights() -> QuizInsights:
    table = parse_report(student_analysis_csv(GUTTMAN).replace("Question 1", "-1+1 formula"))
    assert isinstance(table, ResponseTable)
    return analyse(table)


def test_export_has_a_row_per_question_and_neutralises_formulas() -> None:
    text = "".join(items_csv(_insights()))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["question_id"] for r in rows] == ["1000", "1001", "1002"]
    assert rows[0]["question"] == "'-1+1 formula"
    assert float(rows[1]["difficulty"]) == pytest.approx(0.5)
    assert rows[0]["scored_right_wrong"] == "yes"
    assert "few_respondents" in rows[0]["flags"]


def test_chart_data_matches_the_statistics() -> None:
    insights = _insights()
    data = quiz_charts(insights)
    assert data["histogram"] == {"labels": ["0", "1", "2", "3"], "counts": [1, 1, 1, 1]}
    assert [p["x"] for p in data["scatter"]] == [0.75, 0.5, 0.25]
    # question 3: answers X (top 1/1), Y (middle 2/2), Z (bottom 1/1) as percent of group
    assert data["options"]["2"] == {
        "labels": ["X ✓", "Y", "Z"],
        "top": [100.0, 0.0, 0.0],
        "middle": [0.0, 100.0, 0.0],
        "bottom": [0.0, 0.0, 100.0],
    }


def test_canvas_item_analysis_becomes_reported_items_with_d() -> None:
    reported = from_canvas(parse_canvas_item_analysis(ITEM_ANALYSIS))
    first = reported.items[0]
    assert first.discrimination == pytest.approx(1.0)
    assert [o.label for o in first.options] == ["Correct answer", "Distractor 2"]
    rows = list(csv.DictReader(io.StringIO("".join(reported_items_csv(reported)))))
    assert [r["question_id"] for r in rows] == ["7", "8"]
    chart = reported_charts(reported)
    assert len(chart["scatter"]) == 2
    assert chart["options"]["0"] == {"labels": ["Correct answer ✓"], "counts": [3]}


def _item(**changes: object) -> ReportedItem:
    base: dict[str, object] = {
        "question_id": "1", "title": "Q", "item_type": None, "respondents": 30,
        "difficulty": 0.5, "discrimination": 0.4, "point_biserial": 0.4, "variance": 0.25,
        "standard_deviation": 0.5, "options": (),
    }  # fmt: skip
    base.update(changes)
    return ReportedItem(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, []),
        ({"difficulty": 0.1}, ["hard"]),
        ({"difficulty": 0.9}, ["easy"]),
        ({"discrimination": 0.05}, ["low_discrimination"]),
        ({"discrimination": -0.05}, ["negative_discrimination"]),
        ({"respondents": 0}, ["no_responses"]),
        ({"options": (ReportedOption("X", False, 0, 0.0, None),)}, ["unused_distractor"]),
        ({"options": (ReportedOption("X", False, None, None, 0.2),)}, ["positive_distractor"]),
    ],
)
def test_reported_flags(changes: dict[str, object], codes: list[str]) -> None:
    assert [f.code for f in reported_flags(_item(**changes), Thresholds())] == codes
