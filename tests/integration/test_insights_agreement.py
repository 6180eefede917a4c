"""The tool's statistics agree with the emulator's port of Canvas's Item Analysis.

Both reports are generated from the same seeded quiz with the emulator's pure generators
(``emulator/reports``); the tool then parses the Student Analysis (all versions), picks each
student's first attempt as Canvas does, and must reproduce Canvas's numbers.
"""

from __future__ import annotations

import pytest

from app.insights.analysis import QuizInsights, analyse
from app.insights.item_analysis import CanvasItemAnalysis
from app.insights.parse import parse_canvas_item_analysis, parse_report
from app.insights.reported import ReportedItemAnalysis
from app.insights.table import AttemptPolicy, ReportKind, ResponseTable
from emulator.reports import new_quizzes
from emulator.reports.item_analysis import item_analysis_csv
from emulator.reports.quiz_statistics import people_of_course, student_submissions
from emulator.reports.student_analysis import StudentAnalysisOptions, student_analysis_csv
from emulator.seed import seed_store
from emulator.store import Store

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def store() -> Store:
    seeded = Store()
    seed_store(seeded, seed=42, size="small")
    return seeded


def _reports(store: Store, quiz_id: int) -> tuple[QuizInsights, CanvasItemAnalysis]:
    quiz = store.quizzes[quiz_id]
    submissions = student_submissions(store, quiz)
    people = people_of_course(store, quiz.course_id)
    student_csv = student_analysis_csv(
        quiz, submissions, people, StudentAnalysisOptions(includes_all_versions=True)
    )
    table = parse_report(student_csv)
    assert isinstance(table, ResponseTable)
    insights = analyse(table, AttemptPolicy.FIRST)
    return insights, parse_canvas_item_analysis(item_analysis_csv(quiz, submissions))


def test_quiz_201_item_statistics_match_canvas(store: Store) -> None:
    insights, canvas = _reports(store, 201)
    ours = {item.stats.question.id: item.stats for item in insights.items}
    assert len(canvas.rows) == 20
    for row in canvas.rows:
        item = ours[row.question_id]
        assert item.respondents == row.answered
        assert (item.top_respondents, item.middle_respondents, item.bottom_respondents) == (
            row.top,
            row.middle,
            row.bottom,
        )
        assert item.difficulty == pytest.approx(row.difficulty, abs=TOLERANCE)
        assert item.variance == pytest.approx(row.variance, abs=TOLERANCE)
        assert item.discrimination == pytest.approx(row.discrimination, abs=TOLERANCE)
        assert item.point_biserial == pytest.approx(row.point_biserial_correct, abs=TOLERANCE)
        distractors = sorted(
            o.point_biserial for o in item.options if not o.correct and o.point_biserial is not None
        )
        reported = sorted(v for v in row.point_biserial_distractors if v is not None)
        assert distractors == pytest.approx(reported, abs=TOLERANCE)


def test_quiz_201_last_attempts_would_not_match(store: Store) -> None:
    """Guards the test above: the policy matters on this quiz (students retook it)."""
    quiz = store.quizzes[201]
    submissions = student_submissions(store, quiz)
    people = people_of_course(store, quiz.course_id)
    table = parse_report(
        student_analysis_csv(
            quiz, submissions, people, StudentAnalysisOptions(includes_all_versions=True)
        )
    )
    assert isinstance(table, ResponseTable)
    canvas = parse_canvas_item_analysis(item_analysis_csv(quiz, submissions))
    last = {
        i.stats.question.id: i.stats.difficulty for i in analyse(table, AttemptPolicy.LAST).items
    }
    assert any(last[row.question_id] != pytest.approx(row.difficulty) for row in canvas.rows)


def test_quiz_201_alpha_matches_canvas(store: Store) -> None:
    insights, canvas = _reports(store, 201)
    assert canvas.alpha is not None  # 20 items > 15: Canvas prints it
    assert insights.canvas_alpha == pytest.approx(canvas.alpha, abs=TOLERANCE)
    assert insights.canvas_alpha_items == 20


def test_quiz_202_mixed_types_agree_on_canvas_items(store: Store) -> None:
    insights, canvas = _reports(store, 202)
    ours = {item.stats.question.id: item.stats for item in insights.items}
    assert canvas.rows
    for row in canvas.rows:
        item = ours[row.question_id]
        assert item.respondents == row.answered
        assert item.difficulty == pytest.approx(row.difficulty, abs=TOLERANCE)
        assert item.point_biserial == pytest.approx(row.point_biserial_correct, abs=TOLERANCE)


def test_new_quizzes_reports_parse_in_every_format(store: Store) -> None:
    assignment = store.assignments[301]
    people = people_of_course(store, assignment.course_id)
    now = store.clock.now()
    from_csv = parse_report(new_quizzes.student_analysis_csv(assignment, people))
    from_json = parse_report(new_quizzes.student_analysis_json(assignment, people, now))
    assert isinstance(from_csv, ResponseTable)
    assert isinstance(from_json, ResponseTable)
    assert from_csv.kind is from_json.kind is ReportKind.NEW_QUIZZES_STUDENT_ANALYSIS
    assert from_csv.policies() == (AttemptPolicy.AS_REPORTED,)
    csv_insights, json_insights = analyse(from_csv), analyse(from_json)
    assert csv_insights.attempts == json_insights.attempts > 0
    assert csv_insights.scores.mean == pytest.approx(json_insights.scores.mean)
    for a, b in zip(csv_insights.items, json_insights.items, strict=True):
        assert a.stats.difficulty == pytest.approx(b.stats.difficulty)
    items_csv = parse_report(new_quizzes.item_analysis_csv(assignment))
    items_json = parse_report(new_quizzes.item_analysis_json(assignment, now))
    assert isinstance(items_csv, ReportedItemAnalysis)
    assert isinstance(items_json, ReportedItemAnalysis)
    assert [i.difficulty for i in items_csv.items] == [i.difficulty for i in items_json.items]
    assert items_json.alpha is not None or items_json.respondents is not None
