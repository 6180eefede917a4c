"""New Quizzes reports (shapes of docs/emulator-quizzes.md): JSON and the item analysis CSV."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.insights.analysis import analyse
from app.insights.parse import ParseError, parse_report
from app.insights.reported import ReportedItemAnalysis
from app.insights.table import BLANK, NOT_SHOWN, AttemptPolicy, ReportKind, ResponseTable


def _student_json(students: list[dict[str, Any]]) -> str:
    return json.dumps(
        {
            "report_type": "student_analysis",
            "items": [
                {"id": 1, "position": 1, "type": "multiple_choice_question", "title": "Q1",
                 "points_possible": 1.0},
                {"id": 2, "position": 2, "type": "essay_question", "title": "Q2",
                 "points_possible": 2.0},
            ],
            "students": students,
        }
    )  # fmt: skip


def _student(
    user: int, score: float, *responses: tuple[int, str | None, float | None]
) -> dict[str, Any]:
    return {
        "user_id": user,
        "score": score,
        "responses": [{"item_id": i, "answer": a, "points": p} for i, a, p in responses],
    }


def test_student_analysis_json_becomes_a_table() -> None:
    text = _student_json(
        [
            _student(1, 3.0, (1, "A", 1.0), (2, "essay", 2.0)),
            _student(2, 0.0, (1, "B", 0.0), (2, "", 0.0)),
            _student(3, 1.0, (1, "A", 1.0), (2, None, None)),
        ]
    )
    table = parse_report(text)
    assert isinstance(table, ResponseTable)
    assert table.kind is ReportKind.NEW_QUIZZES_STUDENT_ANALYSIS
    assert [q.question_type for q in table.questions] == [
        "multiple_choice_question",
        "essay_question",
    ]
    assert [list(c) for c in table.codes] == [[0, 0], [1, BLANK], [0, NOT_SHOWN]]
    assert table.policies() == (AttemptPolicy.AS_REPORTED,)
    insights = analyse(table)
    assert insights.items[0].stats.difficulty == pytest.approx(2 / 3)
    # Canvas's alpha only counts the multiple-choice question (the type is known)
    assert insights.canvas_alpha_items == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"report_type": "grades"}', "report_type"),
        ('["a"]', "expected an object"),
        ('{"report_type": "student_analysis", "items": {}}', "items: expected a list"),
        (
            '{"report_type": "student_analysis", "items": [], "students": '
            '[{"responses": [{"item_id": 9}]}]}',
            "unknown item_id",
        ),
        (
            '{"report_type": "student_analysis", "items": [{"id": 1, "points_possible": "x"}],'
            ' "students": []}',
            "points_possible",
        ),
    ],
)
def test_bad_json_raises_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_report(text)


ITEM_JSON = {
    "report_type": "item_analysis",
    "summary": {"respondents": 30, "mean_score": 7.5, "standard_deviation": 2.0, "alpha": 0.61},
    "items": [
        {
            "item_id": 5,
            "item_title": "Pick one",
            "item_type": "multiple_choice_question",
            "responses": 30,
            "difficulty_index": 0.2,
            "discrimination_index": -0.1,
            "point_biserial": 0.3,
            "variance": 0.16,
            "standard_deviation": 0.4,
            "answers": [
                {"text": "Right", "correct": True, "count": 6, "ratio": 0.2},
                {"text": "Never", "correct": False, "count": 0, "ratio": 0.0},
            ],
        }
    ],
}


def test_item_analysis_json_keeps_the_reported_numbers() -> None:
    parsed = parse_report(json.dumps(ITEM_JSON))
    assert isinstance(parsed, ReportedItemAnalysis)
    assert (parsed.source, parsed.alpha, parsed.respondents) == ("new_quizzes", 0.61, 30)
    [item] = parsed.items
    assert (item.difficulty, item.discrimination, item.respondents) == (0.2, -0.1, 30)
    assert [(o.label, o.correct, o.count) for o in item.options] == [
        ("Right", True, 6),
        ("Never", False, 0),
    ]


ITEM_CSV = (
    "item_id,position,item_type,item_title,points_possible,responses,correct,"
    "partially_correct,incorrect,blank,difficulty_index,discrimination_index,point_biserial,"
    "mean_score,variance,standard_deviation,answer_1_text,answer_1_correct,answer_1_count,"
    "answer_2_text,answer_2_correct,answer_2_count\n"
    '5,1,multiple_choice_question,"Pick, one",1.0,30,6,0,24,0,0.2,-0.1,0.3,0.2,0.16,0.4,'
    "Right,true,6,Never,false,0\n"
    "6,2,essay_question,Why?,2.0,28,0,0,28,2,0.5,0.3,0.4,1.0,0.5,0.7,,,,,,\n"
)


def test_item_analysis_csv_reads_answer_columns() -> None:
    parsed = parse_report(ITEM_CSV)
    assert isinstance(parsed, ReportedItemAnalysis)
    first, second = parsed.items
    assert first.title == "Pick, one"
    assert [(o.label, o.correct, o.count) for o in first.options] == [
        ("Right", True, 6),
        ("Never", False, 0),
    ]
    assert second.options == ()


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (ITEM_CSV.replace(",0.2,-0.1,", ",easy,-0.1,"), "difficulty_index"),
        (ITEM_CSV.replace("Right,true,6,", "Right,true,six,"), "column 19"),
        (ITEM_CSV.replace(",,,,,,\n", ",,,,,\n"), "fields"),
    ],
)
def test_item_analysis_csv_errors_carry_the_line(broken: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as raised:
        parse_report(broken)
    assert raised.value.line in {2, 3}
