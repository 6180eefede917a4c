"""Student Analysis CSV: header, attempt selection and per-type answers (reports-api.md §3.6)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from emulator.reports.student_analysis import (
    SectionInfo,
    StudentAnalysisOptions,
    StudentInfo,
    format_answer,
    select_submissions,
    student_analysis_csv,
)
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission
from tests.emulator.quiz_helpers import T0, mc_question, question

PEOPLE = {
    7: StudentInfo("Ann Able", "S7", (SectionInfo(1, "Sec A", "A"), SectionInfo(2, "Sec B"))),
    8: StudentInfo("Bob, Jr.", None, (SectionInfo(1, "Sec A", "A"),)),
}


def _quiz(*questions: QuizQuestion) -> Quiz:
    return Quiz(
        id=1,
        course_id=1,
        title="Quiz",
        quiz_type="assignment",
        points_possible=2.0,
        created_at=T0,
        published_at=T0,
        questions=list(questions),
    )


def _sub(  # noqa: PLR0917
    sid: int,
    user: int | None,
    attempt: int,
    score: float,
    minutes: int,
    responses: dict[int, dict[str, Any]],
    state: str = "complete",
) -> QuizSubmission:
    at = T0 + timedelta(minutes=minutes)
    return QuizSubmission(sid, 1, user, attempt, at, at, at, score, state, responses)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_header_order_with_every_optional_column() -> None:
    quiz = _quiz(mc_question(1, 1, text="<p>First &amp; <b>best</b></p>"), mc_question(2, 2))
    options = StudentAnalysisOptions(includes_all_versions=True, includes_sis_ids=True)
    header = _rows(student_analysis_csv(quiz, [], PEOPLE, options))[0]
    assert header == [
        "name",
        "id",
        "sis_id",
        "section",
        "section_id",
        "section_sis_id",
        "submitted",
        "attempt",
        "1: First  best",
        "1.0",
        "2: Question",
        "1.0",
        "n correct",
        "n incorrect",
        "score",
    ]


def test_anonymous_header_drops_name_and_id() -> None:
    header = _rows(
        student_analysis_csv(
            _quiz(mc_question(1, 1)), [], PEOPLE, StudentAnalysisOptions(anonymous=True)
        )
    )[0]
    assert header[:3] == ["section", "section_id", "submitted"]


def test_rows_newest_first_then_logged_out_with_ruby_values() -> None:
    q = mc_question(1, 1)
    right = {1: {"answer_id": 11, "correct": True, "points": 1.0}}
    wrong = {1: {"answer_id": 12, "correct": False, "points": 0.0}}
    subs = [
        _sub(1, 7, 1, 1.0, 5, right),
        _sub(2, 8, 1, 0.0, 9, wrong),
        _sub(3, None, 1, 1.0, 30, right),
    ]
    text = student_analysis_csv(_quiz(q), subs, PEOPLE)
    lines = text.splitlines()
    assert lines[1] == ('"Bob, Jr.",8,Sec A,1,2026-09-15 10:09:00 UTC,Wrong,0.0,0,1,0.0')
    assert lines[2] == (
        'Ann Able,7,"Sec A, Sec B","1, 2",2026-09-15 10:05:00 UTC,Right,1.0,1,0,1.0'
    )
    # Logged out: blank name and id (Ruby writes "" for empty strings), no sections.
    assert lines[3] == '"","","","",2026-09-15 10:30:00 UTC,Right,1.0,1,0,1.0'


def test_kept_attempt_is_the_highest_scoring_one_unless_all_versions() -> None:
    q = mc_question(1, 1)
    subs = [
        _sub(1, 7, 1, 1.0, 0, {1: {"answer_id": 11, "correct": True, "points": 1.0}}),
        _sub(2, 7, 2, 0.0, 60, {1: {"answer_id": 12, "correct": False, "points": 0.0}}),
        _sub(3, 7, 3, 0.0, 90, {}, state="untaken"),
    ]
    kept = select_submissions(subs, StudentAnalysisOptions())
    assert [s.id for s in kept] == [1]
    latest = select_submissions(subs, StudentAnalysisOptions(scoring_policy="keep_latest"))
    assert latest == []  # the latest attempt is still in progress: nothing completed to show
    every = select_submissions(subs, StudentAnalysisOptions(includes_all_versions=True))
    assert [s.id for s in every] == [2, 1]
    rows = _rows(
        student_analysis_csv(
            _quiz(q), subs, PEOPLE, StudentAnalysisOptions(includes_all_versions=True)
        )
    )
    assert [row[5] for row in rows[1:]] == ["2", "1"]  # the attempt column


def test_question_missing_from_an_attempt_gives_two_blanks() -> None:
    subs = [_sub(1, 7, 1, 1.0, 0, {1: {"answer_id": 11, "correct": True, "points": 1.0}})]
    row = student_analysis_csv(
        _quiz(mc_question(1, 1), mc_question(2, 2)), subs, PEOPLE
    ).splitlines()[1]
    assert row.endswith(',Right,1.0,"","",1,0,1.0')


def test_n_correct_uses_ruby_truthiness() -> None:
    # "partial", "undefined" and "no_score" are truthy in Ruby: they count as correct.
    responses: dict[int, dict[str, Any]] = {
        1: {"correct": True, "points": 1.0},
        2: {"correct": "partial", "points": 0.5},
        3: {"correct": "undefined", "points": 0.0},
        4: {"correct": "no_score", "points": 0.0},
        5: {"correct": False, "points": 0.0},
        6: {"points": 0.0},
    }
    row = _rows(student_analysis_csv(_quiz(), [_sub(1, 7, 1, 1.5, 0, responses)], PEOPLE))[1]
    assert row[-3:] == ["4", "2", "1.5"]


MATCHING = question(
    7,
    "matching_question",
    [
        Answer(71, "Left, one", 100, extra={"match_id": 1}),
        Answer(72, "Arrow=>left", 100, extra={"match_id": 2}),
        Answer(73, "Unanswered", 100, extra={"match_id": 3}),
    ],
    extra={"matches": [{"match_id": 1, "text": "Right one"}, {"match_id": 2, "text": "B=>C"}]},
)


@pytest.mark.parametrize(
    ("q", "response", "expected"),
    [
        (mc_question(1, 1), {"answer_id": 12}, "Wrong"),
        (
            question(2, "true_false_question", [Answer(21, "True", 100), Answer(22, "False", 0)]),
            {"answer_id": 22},
            "False",
        ),
        # A matched short answer prints the key's text, an unmatched one what was typed.
        (
            question(3, "short_answer_question", [Answer(31, "Mitosis", 100)]),
            {"answer_id": 31, "text": "mitosis"},
            "Mitosis",
        ),
        (
            question(3, "short_answer_question", [Answer(31, "Mitosis", 100)]),
            {"text": "meiosis"},
            "meiosis",
        ),
        (
            question(
                4,
                "fill_in_multiple_blanks_question",
                [
                    Answer(41, "red", 100, extra={"blank_id": "c1"}),
                    Answer(42, "blue", 100, extra={"blank_id": "c2"}),
                ],
            ),
            {"answer_for_c1": "red, dark", "answer_for_c2": "blue"},
            "red\\, dark,blue",
        ),
        (
            question(
                5,
                "multiple_answers_question",
                [Answer(51, "2", 100), Answer(52, "3, prime", 100), Answer(53, "4", 0)],
            ),
            {"answer_51": "1", "answer_52": "1", "answer_53": "0"},
            "2,3\\, prime",
        ),
        (
            question(
                6,
                "multiple_dropdowns_question",
                [
                    Answer(61, "heart", 100, extra={"blank_id": "organ"}),
                    Answer(62, "liver", 0, extra={"blank_id": "organ"}),
                    Answer(63, "CO2, gas", 100, extra={"blank_id": "gas"}),
                ],
            ),
            {"answer_for_organ": 62, "answer_for_gas": 63},
            "liver,CO2\\, gas",
        ),
        (
            MATCHING,
            {"answer_71": "1", "answer_72": "2"},
            "Left\\, one=>Right one,Arrow\\=>left=>B\\=>C,Unanswered=>",
        ),
        (question(8, "numerical_question", [Answer(81, "3.14", 100)]), {"text": "3.1"}, "3.1"),
        (question(8, "numerical_question", [Answer(81, "3.14", 100)]), {}, ""),
        (
            question(
                9,
                "calculated_question",
                [
                    Answer(
                        91,
                        "16",
                        100,
                        extra={
                            "variables": [{"name": "t", "value": 2.5}, {"name": "n", "value": 4.0}]
                        },
                    )
                ],
            ),
            {"text": "16"},
            "t=>2.5,n=>4.0,16",
        ),
        (
            question(10, "essay_question"),
            {"text": "<p>Hello <b>world</b></p>"},
            "<p>Hello <b>world</b></p>",
        ),
        (question(11, "file_upload_question"), {"attachment_ids": ["900"]}, "lab, final.png"),
        (question(11, "file_upload_question"), {"attachment_ids": []}, ""),
        (question(12, "text_only_question"), {"text": ""}, ""),
    ],
)
def test_answer_formatting_per_question_type(
    q: QuizQuestion, response: dict[str, Any], expected: str
) -> None:
    assert format_answer(q, response, {900: "lab, final.png"}) == expected


def test_answers_are_converted_from_html_in_the_csv() -> None:
    essay = question(10, "essay_question", text="<p>Why?</p>", points=5.0)
    responses = {
        10: {
            "text": "<p>Because <b>cells</b></p><p>are small.</p>",
            "correct": "undefined",
            "points": 0.0,
        }
    }
    row = _rows(student_analysis_csv(_quiz(essay), [_sub(1, 7, 1, 0.0, 0, responses)], PEOPLE))[1]
    assert row[5] == "Because cells\n\nare small."
    assert row[6] == "0.0"
