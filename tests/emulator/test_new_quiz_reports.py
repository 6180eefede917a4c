"""New Quizzes reports (reports-api.md §4) and the emulator's own file shapes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from emulator import faults
from emulator.reports import new_quizzes
from emulator.store import Answer, Assignment, QuizQuestion, QuizSubmission
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as
from tests.emulator.quiz_helpers import T0

NEW_QUIZ = "/api/quiz/v1/courses/101/quizzes/301/reports"


def _request(api: Api, report_type: str | None = "item_analysis", fmt: str | None = "csv",
             path: str = NEW_QUIZ) -> Any:
    data = {}
    if report_type is not None:
        data["quiz_report[report_type]"] = report_type
    if fmt is not None:
        data["quiz_report[format]"] = fmt
    return api.post(path, data=data)


def _file(api: Api, live: LiveEmulator, progress: dict[str, Any]) -> str:
    live.emulator.store.clock.advance(live.emulator.settings.report_seconds + 0.01)
    done = api.get(progress["url"]).json()
    assert done["workflow_state"] == "completed"
    first = api.get(done["results"]["url"])
    assert first.status_code == 302
    return str(api.get(first.headers["Location"]).text)


def test_returns_a_queued_assignment_progress(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    response = _request(api)
    assert response.status_code == 200
    progress = response.json()
    assert progress["context_type"] == "Assignment"
    assert progress["context_id"] == 301
    assert progress["user_id"] == 3
    assert (progress["workflow_state"], progress["completion"]) == ("queued", 0)
    assert progress["url"] == f"{frozen.url}/api/v1/progress/{progress['id']}"
    assert "results" not in progress


@pytest.mark.parametrize(("report_type", "fmt"), [
    (None, "csv"), ("bogus", "csv"), ("item_analysis", None), ("item_analysis", "xlsx")])
def test_both_parameters_are_required(frozen: LiveEmulator, report_type: str | None,
                                      fmt: str | None) -> None:
    response = _request(api_as(frozen, 3), report_type, fmt)
    assert response.status_code == 400
    assert response.json()["status"] == "bad_request"


def test_json_body_is_accepted(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).post(NEW_QUIZ, json={"quiz_report": {
        "report_type": "student_analysis", "format": "json"}})
    assert response.status_code == 200


def test_conflict_while_the_same_type_is_generating(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    assert _request(api).status_code == 200
    conflict = _request(api, fmt="json")
    assert conflict.status_code == 409
    assert conflict.json() == {"status": "conflict",
                               "message": "report is already being generated"}
    assert _request(api, "student_analysis").status_code == 200
    frozen.emulator.store.clock.advance(frozen.emulator.settings.report_seconds + 0.01)
    assert _request(api).status_code == 200  # the first one has finished


@pytest.mark.parametrize("path", [
    "/api/quiz/v1/courses/101/quizzes/311/reports",  # a classic quiz's assignment
    "/api/quiz/v1/courses/103/quizzes/301/reports",  # another course
    "/api/quiz/v1/courses/101/quizzes/9999/reports",
])
def test_not_a_new_quiz_of_the_course(frozen: LiveEmulator, path: str) -> None:
    assert _request(api_as(frozen, 3), path=path).status_code == 404


@pytest.mark.parametrize("user_id", [10, 5, 6])
def test_students_and_strangers_are_refused(frozen: LiveEmulator, user_id: int) -> None:
    assert _request(api_as(frozen, user_id)).status_code == 401


def test_item_analysis_csv_file(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 4)  # a TA may
    text = _file(api, frozen, _request(api).json())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["item_id"]) for r in rows] == [30101, 30102, 30103, 30104, 30105, 30106]
    assert list(rows[0])[:16] == list(new_quizzes.ITEM_HEADER)
    first = rows[0]
    assert first["answer_2_text"] == "3:1"  # the correct option sits second
    assert first["answer_2_correct"] == "true"
    counted = sum(int(first[f"answer_{n}_count"]) for n in range(1, 5))
    assert counted == int(first["responses"])


def test_student_analysis_json_file(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    body = json.loads(_file(api, frozen, _request(api, "student_analysis", "json").json()))
    assert body["report_type"] == "student_analysis"
    assert body["quiz"]["assignment_id"] == 301
    assert [item["id"] for item in body["items"]][:2] == [30101, 30102]
    student = body["students"][0]
    assert {"user_id", "name", "sis_id", "sections", "attempt", "submitted_at", "score",
            "n_correct", "n_incorrect", "responses"} <= set(student)
    assert len(student["responses"]) == len(body["items"])


def test_other_formats_have_sensible_names(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    progress = _request(api, "student_analysis", "csv").json()
    frozen.emulator.store.clock.advance(frozen.emulator.settings.report_seconds + 0.01)
    results = api.get(progress["url"]).json()["results"]
    assert results["display_name"] == "Genetics Check Student Analysis Report.csv"
    assert results["content_type"] == "text/csv"
    file = api.get(f"/api/v1/files/{results['file_id']}").json()
    assert file["content-type"] == "text/csv"


def test_stuck_progress_like_canvas_issue_2488(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "new_quiz_report", "stick")
    api = api_as(frozen, 3)
    progress = _request(api).json()
    frozen.emulator.store.clock.advance(1800)
    still = api.get(progress["url"]).json()
    assert still["workflow_state"] == "running"
    assert "results" not in still
    assert _request(api).status_code == 409


def test_failed_report(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "new_quiz_report", "fail", key="item_analysis")
    api = api_as(frozen, 3)
    progress = _request(api).json()
    frozen.emulator.store.clock.advance(5)
    failed = api.get(progress["url"]).json()
    assert failed["workflow_state"] == "failed"
    assert failed["message"].startswith("Unexpected error, ID: ")
    assert _request(api).status_code == 200  # a failed one does not block a new request


# ---------------------------------------------------------------- pure shapes


def _assignment() -> Assignment:
    mc = QuizQuestion(1, 301, 1, "multiple_choice_question", "Q1", "<p>Pick</p>", 2.0,
                      [Answer(11, "Yes", 100.0), Answer(12, "No", 0.0), Answer(13, "Maybe", 0.0)])
    essay = QuizQuestion(2, 301, 2, "essay_question", "Q2", "Why?", 4.0, [])

    def sub(uid: int, answer: int | None, essay_points: float) -> QuizSubmission:
        points = 2.0 if answer == 11 else 0.0
        return QuizSubmission(uid, 301, uid, 1, T0, T0, T0, points + essay_points, "complete", {
            1: {"answer_id": answer, "correct": answer == 11, "points": points},
            2: {"text": "because" if essay_points else "", "correct": "partial",
                "points": essay_points}})

    return Assignment(301, 101, "Check", 6.0, is_quiz_lti_assignment=True,
                      new_quiz_questions=[mc, essay],
                      new_quiz_submissions=[sub(1, 11, 4.0), sub(2, 11, 2.0), sub(3, 12, 0.0),
                                            sub(4, None, 1.0)])


def test_item_analysis_statistics_by_hand() -> None:
    body = new_quizzes.item_analysis(_assignment())
    mc, essay = body["items"]
    # MC: 3 answered (one blank); 2 right -> difficulty 2/3; answers counted per option.
    assert (mc["responses"], mc["blank"], mc["correct"], mc["incorrect"]) == (3, 1, 2, 1)
    assert mc["difficulty_index"] == pytest.approx(0.6667)
    assert [(a["text"], a["count"]) for a in mc["answers"]] == [("Yes", 2), ("No", 1),
                                                                 ("Maybe", 0)]
    # Upper 27 % of 4 = 1 student (score 6, right), lower = 1 student (score 0, wrong).
    assert mc["discrimination_index"] == pytest.approx(1.0)
    # Item scores 2, 2, 0 against totals 6, 4, 0: r = 0.9449.
    assert mc["point_biserial"] == pytest.approx(0.9449, abs=1e-4)
    assert mc["variance"] == pytest.approx(0.8889, abs=1e-4)
    # Essay: 3 non-empty answers (4, 2, 1 points), student 3 wrote nothing.
    assert (essay["responses"], essay["blank"], essay["partially_correct"]) == (3, 1, 3)
    assert essay["answers"] == []
    assert body["summary"]["respondents"] == 4


def test_student_analysis_csv_shape() -> None:
    rows = list(csv.reader(io.StringIO(new_quizzes.student_analysis_csv(_assignment(), {}))))
    assert rows[0] == ["name", "user_id", "sis_id", "section", "attempt", "started_at",
                       "submitted_at", "time_spent_seconds", "1: Pick", "2.0", "2: Why?", "4.0",
                       "n correct", "n incorrect", "score"]
    assert rows[1][8:] == ["Yes", "2.0", "because", "4.0", "1", "1", "6.0"]
