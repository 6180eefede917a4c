"""Parsing Canvas's quiz report CSVs: the awkward but legal inputs, and the broken ones."""

from __future__ import annotations

import pytest

from app.insights.parse import ParseError, parse_canvas_item_analysis, parse_report
from app.insights.source import detect_delimiter
from app.insights.table import BLANK, NOT_SHOWN, ResponseTable
from tests.unit.insights.reports import Attempt, QuizSpec, student_analysis_csv

SPEC = QuizSpec(
    [(11, "What is 2 + 2?", 1.0), (12, "Pick, carefully; one", 2.0)],
    [
        Attempt(["4", "x"], [1.0, 0.0], student=1),
        Attempt(["5", "y"], [0.0, 2.0], student=2),
    ],
)


def _table(source: str | bytes | list[bytes]) -> ResponseTable:
    parsed = parse_report(source)
    assert isinstance(parsed, ResponseTable)
    return parsed


def test_parses_questions_points_answers_and_scores() -> None:
    table = _table(student_analysis_csv(SPEC))
    assert [(q.id, q.text, q.points_possible) for q in table.questions] == [
        ("11", "What is 2 + 2?", 1.0),
        ("12", "Pick, carefully; one", 2.0),
    ]
    assert table.choices == (("4", "5"), ("x", "y"))
    assert [list(r) for r in table.points] == [[1.0, 0.0], [0.0, 2.0]]
    assert list(table.scores) == [1.0, 2.0]
    assert table.respondents == ("id:1", "id:2")
    assert not table.anonymous
    assert not table.has_attempt_column


@pytest.mark.parametrize(
    "options",
    [{"bom": True}, {"delimiter": ";"}, {"delimiter": ";", "bom": True}, {"delimiter": "\t"}],
)
def test_bom_and_separators_are_detected(options: dict[str, object]) -> None:
    table = _table(student_analysis_csv(SPEC, **options))  # type: ignore[arg-type]
    assert table.questions[1].text == "Pick, carefully; one"
    assert table.choices[0] == ("4", "5")


def test_streamed_bytes_split_inside_a_character_are_decoded() -> None:
    text = student_analysis_csv(
        QuizSpec([(1, "Café ☕ question", 1.0)], [Attempt(["naïve ☕"], [1.0])]), bom=True
    )
    data = text.encode("utf-8")
    chunks = [data[i : i + 3] for i in range(0, len(data), 3)]
    table = _table(chunks)
    assert table.questions[0].text == "Café ☕ question"
    assert table.choices[0] == ("naïve ☕",)


def test_multiline_question_text_and_answers_are_kept() -> None:
    spec = QuizSpec(
        [(5, 'Line one\nline "two"', 1.0)],
        [Attempt(["first\nsecond"], [1.0]), Attempt(["other"], [0.0])],
    )
    table = _table(student_analysis_csv(spec))
    assert table.questions[0].text == 'Line one\nline "two"'
    assert table.choices[0] == ("first\nsecond", "other")


def test_anonymous_report_has_no_identities() -> None:
    table = _table(student_analysis_csv(SPEC, anonymous=True))
    assert table.anonymous
    assert table.respondents == (None, None)


def test_missing_answers_and_unshown_questions_get_codes() -> None:
    spec = QuizSpec(
        [(1, "Q1", 1.0), (2, "Q2", 1.0)],
        [Attempt(["", None], [0.0, None]), Attempt(["", "b"], [None, 1.0])],
    )
    table = _table(student_analysis_csv(spec))
    assert [list(r) for r in table.codes] == [[BLANK, NOT_SHOWN], [NOT_SHOWN, 0]]
    assert [list(r) for r in table.points] == [[0.0, 0.0], [0.0, 1.0]]


def test_attempt_column_is_read() -> None:
    table = _table(student_analysis_csv(SPEC, all_versions=True))
    assert table.has_attempt_column
    assert table.attempts == (1, 1)


def test_blank_score_falls_back_to_the_sum_of_points() -> None:
    text = student_analysis_csv(SPEC).replace(",1.0\n", ",\n", 1)
    assert next(iter(_table(text).scores)) == 1.0


def test_free_text_answers_beyond_the_cap_share_one_code() -> None:
    attempts = [Attempt([f"essay {i}"], [0.0]) for i in range(70)]
    table = _table(student_analysis_csv(QuizSpec([(1, "Essay", 5.0)], attempts)))
    assert len(table.choices[0]) == 61
    assert table.choices[0][-1] == "(other answers)"


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("", 1, "empty"),
        ("just,some,columns\n1,2,3\n", 1, "not a quiz report"),
        ("name,id,1: Q,1.0,n correct,n incorrect,score\nA,1,x\n", 2, "expected 7 fields"),
        ("name,id,1: Q,1.0,n correct,n incorrect,score\nA,1,x,one,0,1,0\n", 2, "points"),
        ("name,id,1: Q,1.0,n correct,n incorrect,score\nA,1,x,1,0,1,lots\n", 2, "score"),
        ("name,id,1: Q,1.0,n correct,n incorrect,score\nA,1,x,inf,0,1,0\n", 2, "finite"),
        (
            'name,id,1: Q,1.0,n correct,n incorrect,score\nA,1,x,1,0,1,0\nB,2,"oops,1\n',
            3,
            "malformed",
        ),
        ("name,id,1: Q,n correct,n incorrect,score\n", 1, "pairs"),
        ("name,id,1: Q,lots,n correct,n incorrect,score\n", 1, "points possible"),
        ("name,id,Q,1.0,n correct,n incorrect,score\n", 1, "question id"),
        ("name,id,attempt,1: Q,1.0,n correct,n incorrect,score\nA,1,x,a,1,0,1,1\n", 2, "attempt"),
    ],
)
def test_bad_input_raises_parse_error_with_line(source: str, line: int, message: str) -> None:
    with pytest.raises(ParseError, match=message) as raised:
        parse_report(source)
    assert raised.value.line == line
    assert f"line {line}" in raised.value.message
    assert raised.value.status == 422


def test_bytes_that_are_not_utf8_raise_parse_error() -> None:
    data = b"name,id,1: Q,1.0,n correct,n incorrect,score\n" + b"\xff\xfe,1,x,1,0,1,0\n"
    with pytest.raises(ParseError, match="UTF-8"):
        parse_report(data)


ITEM_ANALYSIS = (
    "Question Id,Question Title,Answered Student Count,Top Student Count,Middle Student Count,"
    "Bottom Student Count,Quiz Question Count,Correct Student Count,Wrong Student Count,"
    "Correct Student Ratio,Wrong Student Ratio,Correct Top Student Count,"
    "Correct Middle Student Count,Correct Bottom Student Count,Variance,Standard Deviation,"
    "Difficulty Index,Alpha,Point Biserial of Correct,Point Biserial of Distractor 2\n"
    '7,"Which, one?",4,1,2,1,2,3,1,0.75,0.25,1,2,0,0.1875,0.4330127018922193,0.75,N/A,'
    "0.7745966692414834,-0.7745966692414834\n"
    "8,True?,4,1,2,1,2,2,2,0.5,0.5,1,1,0,0.25,0.5,0.5,N/A,0.8944271909999159,\n"
)


def test_item_analysis_csv_is_parsed_with_blanks_and_na() -> None:
    parsed = parse_canvas_item_analysis(ITEM_ANALYSIS)
    first, second = parsed.rows
    assert first.title == "Which, one?"
    assert (first.answered, first.top, first.middle, first.bottom) == (4, 1, 2, 1)
    assert first.alpha is None
    assert len(first.point_biserial_distractors) == 1
    assert first.point_biserial_distractors[0] == pytest.approx(-0.7745966692414834)
    assert first.discrimination == pytest.approx(1.0)
    assert second.point_biserial_distractors == (None,)
    assert parsed.alpha is None


def test_item_analysis_with_text_in_a_count_raises() -> None:
    with pytest.raises(ParseError, match="answered student count") as raised:
        parse_canvas_item_analysis(ITEM_ANALYSIS.replace('7,"Which, one?",4,', "7,x,four,"))
    assert raised.value.line == 2


def test_item_analysis_row_narrower_than_the_header_raises() -> None:
    with pytest.raises(ParseError, match="expected 20 fields") as raised:
        parse_canvas_item_analysis(ITEM_ANALYSIS.replace(",0.8944271909999159,\n", "\n"))
    assert raised.value.line == 3


def test_semicolons_in_an_unquoted_question_text_do_not_fool_detection() -> None:
    text = "; ".join("abcdefghijklmnop")  # 15 semicolons, more than the header's 9 commas
    spec = QuizSpec([(1, text, 1.0)], [Attempt(["x"], [1.0])])
    table = _table(student_analysis_csv(spec))
    assert table.questions[0].text == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("name;id;section\n", ";"),
        ("Question Id,Question Title\n", ","),
        ("item_id\tposition\n", "\t"),
        ('"x;y";"z";a,b\n', ";"),  # unknown first column: counting outside quotes
        ("nothing\n", ","),
    ],
)
def test_delimiter_detection(line: str, expected: str) -> None:
    assert detect_delimiter(line) == expected
