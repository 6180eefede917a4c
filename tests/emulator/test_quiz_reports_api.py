"""Classic Quiz Reports API (reports-api.md §3): shapes, reuse, 400/409/422/204, permissions."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator import faults
from emulator.reports.item_analysis import HEADER, item_analysis_csv
from emulator.reports.quiz_statistics import student_ids
from emulator.seed_quizzes import grade_choices, record_attempt
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as

FIXTURES = Path("/work/shared/canvas/fixtures")
REPORTS = "/api/v1/courses/101/quizzes/201/reports"
JSONAPI = {"Accept": "application/vnd.api+json"}


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def _create(api: Api, report_type: str = "item_analysis", path: str = REPORTS,
            **data: str) -> Any:
    return api.post(path, data={"quiz_report[report_type]": report_type, **data})


def _finish(live: LiveEmulator) -> None:
    live.emulator.store.clock.advance(live.emulator.settings.report_seconds + 0.01)


def _download(api: Api, url: str) -> str:
    first = api.get(url)
    assert first.status_code == 302
    return str(api.get(first.headers["Location"]).text)


# ---------------------------------------------------------------- index


def test_index_returns_both_types_in_plain_json(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).get(REPORTS)
    assert response.status_code == 200
    body = response.json()
    assert sorted(r["report_type"] for r in body) == ["item_analysis", "student_analysis"]
    for report in body:
        assert isinstance(report["id"], int)
        assert report["quiz_id"] == 201
        assert "links" not in report
        assert "progress_url" not in report
        assert report["url"] == f"{frozen.url}{REPORTS}/{report['id']}"
        assert report["readable_type"] in ("Student Analysis", "Item Analysis")
        assert report["generatable"] is True


def test_index_flags_follow_canvas(frozen: LiveEmulator) -> None:
    teacher = {r["report_type"]: r for r in api_as(frozen, 3).get(REPORTS).json()}
    assert teacher["student_analysis"]["includes_all_versions"] is False
    assert teacher["student_analysis"]["includes_sis_ids"] is True
    assert teacher["item_analysis"]["includes_all_versions"] is True  # forced
    assert teacher["item_analysis"]["includes_sis_ids"] is False  # forced
    everything = {r["report_type"]: r for r in api_as(frozen, 3).get(
        REPORTS, params={"includes_all_versions": "true"}).json()}
    assert everything["student_analysis"]["includes_all_versions"] is True
    ta = {r["report_type"]: r for r in api_as(frozen, 4).get(REPORTS).json()}
    assert ta["student_analysis"]["includes_sis_ids"] is False


def test_index_reuses_rows_until_new_quiz_activity(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    first = {r["report_type"]: r["id"] for r in api.get(REPORTS).json()}
    again = {r["report_type"]: r["id"] for r in api.get(REPORTS).json()}
    assert first == again
    store = frozen.emulator.store
    quiz = store.quizzes[201]
    frozen.emulator.store.clock.advance(5)
    with store.lock:
        record_attempt(store, quiz, 10, grade_choices(quiz, {}), store.now(), minutes=1)
    frozen.emulator.store.clock.advance(120)
    after = {r["report_type"]: r["id"] for r in api.get(REPORTS).json()}
    assert after["item_analysis"] != first["item_analysis"]
    assert after["student_analysis"] != first["student_analysis"]


def test_index_in_jsonapi(frozen: LiveEmulator) -> None:
    body = api_as(frozen, 3).get(REPORTS, headers=JSONAPI).json()
    reports = body["quiz_reports"]
    assert len(reports) == 2
    for report in reports:
        assert isinstance(report["id"], str)
        assert report["links"] == {"quiz": f"{frozen.url}/api/v1/courses/101/quizzes/201"}
        assert "quiz_id" not in report
        assert "progress_url" not in report


# ---------------------------------------------------------------- create


def test_create_queues_a_progress_without_user(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    response = _create(api)
    assert response.status_code == 200
    report = response.json()
    assert report["report_type"] == "item_analysis"
    assert "file" not in report
    assert "progress" not in report  # plain JSON never embeds it on create/show
    progress = api.get(report["progress_url"]).json()
    assert progress["context_type"] == "Quizzes::QuizStatistics"
    assert progress["context_id"] == report["id"]
    assert progress["tag"] == "Quizzes::QuizStatistics"
    assert progress["user_id"] is None
    assert (progress["workflow_state"], progress["completion"]) == ("queued", 0)
    assert "results" not in progress
    # Nobody can cancel a progress without a user (only the owner may).
    assert api.post(f"/api/v1/progress/{progress['id']}/cancel").status_code == 401


@pytest.mark.parametrize("data", [{"quiz_report[report_type]": "bogus"}, {}])
def test_create_rejects_invalid_type(frozen: LiveEmulator, data: dict[str, str]) -> None:
    response = api_as(frozen, 3).post(REPORTS, data=data)
    assert response.status_code == 400
    assert response.json() == {"status": "bad_request", "message": "invalid quiz report type"}


def test_create_conflicts_while_generating(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    assert _create(api).status_code == 200
    frozen.emulator.store.clock.advance(0.2)  # running now
    response = _create(api)
    assert response.status_code == 409
    assert response.json() == {"status": "conflict", "message": "report is already being generated"}
    # The other type is independent.
    assert _create(api, "student_analysis").status_code == 200


def test_create_reuses_a_finished_report_and_embeds_its_file(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    first = _create(api).json()
    _finish(frozen)
    again = _create(api).json()
    assert again["id"] == first["id"]
    assert again["file"]["display_name"] == "Cell Biology Midterm Quiz Item Analysis Report.csv"
    assert again["file"]["filename"] == "quiz_item_analysis_report.csv"
    assert again["file"]["content-type"] == "text/csv"
    assert again["progress_url"] == first["progress_url"]
    progress = api.get(again["progress_url"]).json()
    assert (progress["workflow_state"], progress["completion"]) == ("completed", 100)


def test_create_makes_a_new_row_after_new_submissions(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    first = _create(api, "student_analysis").json()
    _finish(frozen)
    store = frozen.emulator.store
    quiz = store.quizzes[201]
    with store.lock:
        record_attempt(store, quiz, 10, grade_choices(quiz, {}), store.now(), minutes=1)
    frozen.emulator.store.clock.advance(61)
    second = _create(api, "student_analysis").json()
    assert second["id"] != first["id"]
    assert "file" not in second


def test_create_in_jsonapi_with_includes(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    response = api.post(f"{REPORTS}?include[]=progress", headers=JSONAPI,
                        json={"quiz_reports": [{"report_type": "student_analysis",
                                                "includes_all_versions": True}]})
    assert response.status_code == 200
    (report,) = response.json()["quiz_reports"]
    assert isinstance(report["id"], str)
    assert report["includes_all_versions"] is True
    assert isinstance(report["progress"]["id"], int)
    assert "results" not in report["progress"]
    assert "file" not in report
    _finish(frozen)
    shown = api.get(f"{REPORTS}/{report['id']}", headers=JSONAPI,
                    params={"include[]": ["file"]}).json()["quiz_reports"][0]
    assert isinstance(shown["file"]["id"], int)
    assert "progress" not in shown
    bare = api.get(f"{REPORTS}/{report['id']}", headers=JSONAPI).json()["quiz_reports"][0]
    assert "file" not in bare


def test_failed_generation_is_regenerated(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "quiz_report", "fail", key="student_analysis")
    api = api_as(frozen, 3)
    report = _create(api, "student_analysis").json()
    _finish(frozen)
    failed = api.get(report["progress_url"]).json()
    assert failed["workflow_state"] == "failed"
    assert failed["message"].startswith("Unexpected error, ID: ")
    again = _create(api, "student_analysis").json()
    assert again["id"] == report["id"]
    assert again["progress_url"] != report["progress_url"]
    assert api.get(again["progress_url"]).json()["workflow_state"] == "queued"
    _finish(frozen)
    assert "file" in api.get(f"{REPORTS}/{report['id']}").json()


def test_stuck_generation_never_finishes(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "quiz_report", "stick")
    api = api_as(frozen, 3)
    report = _create(api).json()
    frozen.emulator.store.clock.advance(1800)  # (tokens live for an hour)
    progress = api.get(report["progress_url"]).json()
    assert progress["workflow_state"] == "running"
    assert progress["completion"] == 90
    assert _create(api).status_code == 409


# ---------------------------------------------------------------- show and the file


def test_show_plain_json_and_unknown_ids(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api).json()
    assert api.get(f"{REPORTS}/{report['id']}").json()["id"] == report["id"]
    missing = api.get(f"{REPORTS}/99999")
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"message": "The specified resource does not exist."}]}
    other_quiz = api.get(f"/api/v1/courses/101/quizzes/202/reports/{report['id']}")
    assert other_quiz.status_code == 404
    assert api.get("/api/v1/courses/102/quizzes/201/reports").status_code == 404
    assert api.get("/api/v1/courses/999/quizzes/201/reports").status_code == 404


def test_generated_item_analysis_matches_the_pure_generator(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api).json()
    _finish(frozen)
    file = api.get(f"{REPORTS}/{report['id']}").json()["file"]
    text = _download(api, file["url"])
    store = frozen.emulator.store
    students = student_ids(store, 101)
    subs = [s for s in store.quiz_submissions.values()
            if s.quiz_id == 201 and s.user_id in students]
    assert text == item_analysis_csv(store.quizzes[201], subs)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][: len(HEADER)] == list(HEADER)
    assert len(rows) == 21  # 20 items
    assert {row[17] for row in rows[1:]} != {"N/A"}  # 20 > 15 items: alpha printed


def test_generated_student_analysis_header(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api, "student_analysis", **{"quiz_report[includes_all_versions]": "1"})
    _finish(frozen)
    file = api.get(f"{REPORTS}/{report.json()['id']}").json()["file"]
    assert file["display_name"] == "Cell Biology Midterm Quiz Student Analysis Report.csv"
    rows = list(csv.reader(io.StringIO(_download(api, file["url"]))))
    assert rows[0][:8] == ["name", "id", "sis_id", "section", "section_id", "section_sis_id",
                           "submitted", "attempt"]
    assert rows[0][8].startswith("20101: ")
    assert rows[0][-3:] == ["n correct", "n incorrect", "score"]
    store = frozen.emulator.store
    completed = [s for s in store.quiz_submissions.values()
                 if s.quiz_id == 201 and s.workflow_state == "complete"]
    assert len(rows) - 1 == len(completed)  # every attempt, in-progress ones excluded


def test_survey_item_analysis_is_not_generatable(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    reports = {r["report_type"]: r for r in
               api.get("/api/v1/courses/101/quizzes/205/reports").json()}
    assert reports["item_analysis"]["generatable"] is False
    assert reports["student_analysis"]["generatable"] is True
    assert reports["student_analysis"]["anonymous"] is True
    created = _create(api, "student_analysis", path="/api/v1/courses/101/quizzes/205/reports")
    _finish(frozen)
    file = api.get(f"/api/v1/courses/101/quizzes/205/reports/{created.json()['id']}").json()
    assert file["file"]["display_name"] == (
        "Course Feedback Survey Survey Student Analysis Report.csv")
    header = _download(api, file["file"]["url"]).splitlines()[0]
    # Anonymous: no name/id/sis_id; section_sis_id depends only on includes_sis_ids.
    assert header.startswith("section,section_id,section_sis_id,submitted,")


# ---------------------------------------------------------------- abort (DELETE)


def test_delete_generated_report_removes_the_file(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api).json()
    _finish(frozen)
    file_id = api.get(f"{REPORTS}/{report['id']}").json()["file"]["id"]
    response = api.delete(f"{REPORTS}/{report['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/api/v1/files/{file_id}").status_code == 404
    shown = api.get(f"{REPORTS}/{report['id']}").json()
    assert "file" not in shown
    assert "progress_url" not in shown


def test_delete_queued_report_aborts_it(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api).json()
    assert api.delete(f"{REPORTS}/{report['id']}").status_code == 204
    assert api.get(report["progress_url"]).status_code == 404
    # Nothing left to abort now.
    again = api.delete(f"{REPORTS}/{report['id']}")
    assert again.status_code == 422
    assert again.json() == {"status": "unprocessable_entity",
                            "message": "report is not being generated"}


def test_delete_running_report_is_refused(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    report = _create(api).json()
    frozen.emulator.store.clock.advance(0.2)
    response = api.delete(f"{REPORTS}/{report['id']}")
    assert response.status_code == 422
    assert response.json()["message"] == "report generation can not be aborted"


def test_delete_failed_report_is_allowed(frozen: LiveEmulator) -> None:
    faults.add_report_fault(frozen.emulator, "quiz_report", "fail")
    api = api_as(frozen, 3)
    report = _create(api).json()
    _finish(frozen)
    assert api.delete(f"{REPORTS}/{report['id']}").status_code == 204


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("user_id", [10, 5, 6])  # student, designer, teacher elsewhere
def test_readers_without_read_statistics_are_refused(frozen: LiveEmulator, user_id: int) -> None:
    api = api_as(frozen, user_id)
    for response in (api.get(REPORTS), _create(api), api.get(f"{REPORTS}/1"),
                     api.delete(f"{REPORTS}/1")):
        assert response.status_code == 401
        assert response.json() == {"status": "unauthorized", "errors": [
            {"message": "user not authorized to perform that action"}]}


@pytest.mark.parametrize("user_id", [3, 4, 1, 2])  # teacher, TA, admin, sub-account admin
def test_staff_with_read_statistics_may_read(frozen: LiveEmulator, user_id: int) -> None:
    assert api_as(frozen, user_id).get(REPORTS).status_code == 200


def test_no_credentials_is_unauthenticated(frozen: LiveEmulator) -> None:
    response = api_as(frozen, None).get(REPORTS)
    assert response.status_code == 401
    assert response.json()["status"] == "unauthenticated"


def test_unauthorized_is_403_under_api_auth_error_updates(legacy_emulator: LiveEmulator) -> None:
    assert api_as(legacy_emulator, 10).get(REPORTS).status_code == 403


# ---------------------------------------------------------------- fixtures (canvasapi mocks)


def test_shapes_cover_the_faithful_parts_of_the_canvasapi_fixtures(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    created = _create(api, "student_analysis").json()
    mock = _fixture("quiz.get_quiz_report.json")["data"]
    # report_type, includes_all_versions, id and quiz_id are faithful; the rest is mock noise.
    for key in ("id", "quiz_id", "report_type", "includes_all_versions"):
        assert type(created[key]) is type(mock[key])
    progress = api.get(created["progress_url"]).json()
    assert set(_fixture("progress.progress_query.json")["data"]) <= set(progress)
    _finish(frozen)
    file = api.get(f"{REPORTS}/{created['id']}").json()["file"]
    assert set(_fixture("file.get_by_id.json")["data"]) <= set(file)
    deleted = api.delete(f"{REPORTS}/{created['id']}")
    assert deleted.status_code == _fixture("quiz.abort_or_delete_report.json")["status_code"]


def test_report_timestamps_use_the_emulator_clock(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    moment = store.now() + timedelta(days=3)
    store.clock.freeze(moment)
    report = _create(api_as(frozen, 3)).json()
    assert report["created_at"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_index_embeds_progress_and_file_like_the_controller(frozen: LiveEmulator) -> None:
    # index exposes %w[file progress] (quiz_reports_controller.rb), in both formats.
    api = api_as(frozen, 3)
    created = _create(api).json()
    listed = {r["report_type"]: r for r in api.get(REPORTS).json()}
    assert listed["item_analysis"]["id"] == created["id"]
    assert listed["item_analysis"]["progress"]["workflow_state"] == "queued"
    assert "progress" not in listed["student_analysis"]
    _finish(frozen)
    jsonapi = {r["report_type"]: r for r in
               api.get(REPORTS, headers=JSONAPI).json()["quiz_reports"]}
    assert jsonapi["item_analysis"]["file"]["display_name"].endswith("Item Analysis Report.csv")
    assert jsonapi["item_analysis"]["progress"]["completion"] == 100


def test_jsonapi_create_with_form_fields(frozen: LiveEmulator) -> None:
    response = api_as(frozen, 3).post(REPORTS, headers=JSONAPI,
                                      data={"quiz_reports[][report_type]": "student_analysis"})
    assert response.status_code == 200
    assert response.json()["quiz_reports"][0]["report_type"] == "student_analysis"
