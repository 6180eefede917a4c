"""Student Analysis cases taken from Canvas's own spec
(canvas-lms ``spec/models/quizzes/quiz_statistics/student_analysis_spec.rb``, "csv" context).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from emulator.reports.student_analysis import (
    SectionInfo,
    StudentAnalysisOptions,
    StudentInfo,
    student_analysis_csv,
)
from emulator.store import Answer, Quiz, QuizQuestion, QuizSubmission
from tests.emulator.quiz_helpers import T0, question

PEOPLE = {5: StudentInfo("nobody@example.com", "user_sis_id_01", (
    SectionInfo(1, "Unnamed Course", "SISSection01"), SectionInfo(2, "section2", "SISSection02")))}


def _last_row(questions: list[QuizQuestion], responses: dict[int, dict[str, Any]],
              options: StudentAnalysisOptions | None = None) -> list[str]:
    quiz = Quiz(id=1, course_id=1, title="Q", quiz_type="assignment", points_possible=1.0,
                created_at=T0, published_at=T0, questions=questions)
    sub = QuizSubmission(1, 1, 5, 1, T0, T0, T0, 0.0, "complete", responses)
    options = options or StudentAnalysisOptions(includes_sis_ids=True)
    return list(csv.reader(io.StringIO(student_analysis_csv(quiz, [sub], PEOPLE, options))))[-1]


def test_column_counts_with_and_without_sis_ids_and_anonymous() -> None:
    q = question(1, "essay_question", text="test 1")
    responses = {1: {"text": "", "correct": "undefined", "points": 0.0}}
    assert len(_last_row([q], responses)) == 12  # "includes sis ids when requested"
    assert len(_last_row([q], responses, StudentAnalysisOptions())) == 10
    anonymous = StudentAnalysisOptions(includes_sis_ids=True, anonymous=True)
    assert len(_last_row([q], responses, anonymous)) == 9  # "does not include user data"


def test_sections_in_quiz_statistics_csv() -> None:
    row = _last_row([question(1, "essay_question")], {1: {"text": "", "points": 0.0}})
    assert row[:3] == ["nobody@example.com", "5", "user_sis_id_01"]
    assert [s.strip() for s in row[3].split(",")] == ["Unnamed Course", "section2"]
    assert [s.strip() for s in row[4].split(",")] == ["1", "2"]
    assert [s.strip() for s in row[5].split(",")] == ["SISSection01", "SISSection02"]


def test_incomplete_fill_in_multiple_blanks() -> None:
    one = question(1, "fill_in_multiple_blanks_question",
                   [Answer(11, "foo", 100, extra={"blank_id": "ans0"})])
    two = question(2, "fill_in_multiple_blanks_question",
                   [Answer(21, "bar", 100, extra={"blank_id": "ans0"}),
                    Answer(22, "baz", 100, extra={"blank_id": "ans1"})])
    essay = question(3, "essay_question")
    responses: dict[int, dict[str, Any]] = {
        3: {"text": ""}, 1: {"answer_for_ans0": "", "points": 0.0},
        2: {"answer_for_ans0": "", "answer_for_ans1": "baz", "points": 0.5}}
    row = _last_row([essay, one, two], responses)
    assert len(row) == 16
    assert row[11] == ",baz"


def test_student_provided_answers_are_stripped_of_tags() -> None:
    questions = [question(1, "short_answer_question", [Answer(11, "key", 100)]),
                 question(2, "fill_in_multiple_blanks_question",
                          [Answer(21, "x", 100, extra={"blank_id": "b"})]),
                 question(3, "essay_question"),
                 question(4, "numerical_question", [Answer(41, "5", 100)]),
                 question(5, "calculated_question", [Answer(51, "9", 100, extra={
                     "variables": [{"name": "x", "value": 4.3}, {"name": "y", "value": 21}]})])]
    responses = {1: {"text": "<em>short_answer</em>"}, 2: {"answer_for_b": "<em>fimb</em>"},
                 3: {"text": "<em>essay</em>"}, 4: {"text": "<em>numerical</em>"},
                 5: {"text": "<em>calculated</em>"}}
    row = _last_row(questions, responses)
    assert row[7:16:2] == ["short_answer", "fimb", "essay", "numerical",
                           "x=>4.3,y=>21,calculated"]


def test_essay_text_that_looks_like_tags_is_kept() -> None:
    html = ('<p class="p1"><span class="s1">&lt;&gt; &lt; &gt; WHERE rental_duration &gt;= 6 '
            "AND rating &lt;&gt; 'R' 1 &lt; 3 &gt; 2</span></p>")
    row = _last_row([question(1, "essay_question")], {1: {"text": html}})
    assert row[7] == "<> < > WHERE rental_duration >= 6 AND rating <> 'R' 1 < 3 > 2"


def test_numerical_answer() -> None:
    row = _last_row([question(1, "essay_question"),
                     question(2, "numerical_question", [Answer(21, "5", 100)])],
                    {1: {"text": ""}, 2: {"text": "5", "correct": True, "points": 1.0}})
    assert row[9] == "5"


def test_file_upload_shows_the_attachment_display_name() -> None:
    options = StudentAnalysisOptions(includes_sis_ids=True,
                                     attachment_names={77: "attachment.png"})
    row = _last_row([question(1, "file_upload_question")],
                    {1: {"attachment_ids": ["77"], "points": 0.0}}, options)
    assert row[7] == "attachment.png"
