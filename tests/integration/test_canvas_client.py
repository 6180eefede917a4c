"""Every ``CanvasClient`` method against the live emulator, as the users who may call it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.canvas.client import CanvasClient
from app.canvas.errors import (
    CanvasBadRequest,
    CanvasConflict,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasUnprocessable,
)
from app.canvas.payloads import AccountReport
from emulator.api.files import storage_hits
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401

ADA, TINA, STU = 1, 3, 10
REPORT_SECONDS = 0.5  # the ``emulator`` fixture's report duration


@pytest.fixture
def ada(canvas: CanvasWorld) -> CanvasClient:
    return canvas.connected_client(ADA)


@pytest.fixture
def tina(canvas: CanvasWorld) -> CanvasClient:
    return canvas.connected_client(TINA)


@pytest.fixture
def grade_export(canvas: CanvasWorld, ada: CanvasClient) -> AccountReport:
    """A finished ``grade_export_csv`` report of account 1, as Ada reads it."""
    started = ada.start_account_report(1, "grade_export_csv", {})
    canvas.advance(REPORT_SECONDS + 1)
    return ada.get_account_report(1, "grade_export_csv", started.id)


def download(client: CanvasClient, url: str) -> bytes:
    with client.open_download(url) as chunks:
        return b"".join(chunks)


# ---------------------------------------------------------------- people and places


def test_get_self(tina: CanvasClient) -> None:
    me = tina.get_self()
    assert (me.id, me.name) == (TINA, "Tina Teacher")


def test_listings_for_an_admin(ada: CanvasClient) -> None:
    assert 1 in {a.id for a in ada.list_accounts()}
    assert {a.id for a in ada.list_sub_accounts(1)} >= {2, 3}
    terms = {t.id: t for t in ada.list_terms(1)}
    assert {1, 2, 3} <= set(terms)
    assert terms[1].name == "Fall 2026"
    assert {101, 102, 103, 104} <= {c.id for c in ada.list_courses(1)}


def test_listings_follow_pagination(canvas: CanvasWorld, ada: CanvasClient) -> None:
    everything = ada.list_courses(1)
    small_pages = canvas.client(ADA)
    small_pages.page_size = 2
    assert [c.id for c in small_pages.list_courses(1)] == [c.id for c in everything]
    assert len(everything) > 2


def test_quizzes_and_assignments_of_a_course(tina: CanvasClient) -> None:
    quizzes = {q.id: q for q in tina.list_quizzes(101)}
    assert {201, 202} <= set(quizzes)
    assert quizzes[201].title == "Cell Biology Midterm"
    assignments = {a.id: a for a in tina.list_assignments(101)}
    assert assignments[301].is_quiz_lti_assignment is True
    assert assignments[301].name == "Genetics Check"


# ---------------------------------------------------------------- account reports


def test_available_reports(ada: CanvasClient) -> None:
    available = ada.list_available_reports(1)
    names = [r.report for r in available]
    assert "grade_export_csv" in names
    assert [r.title for r in available] == sorted(r.title for r in available)
    by_name = {r.report: r for r in available}
    assert by_name["developer_key_report_csv"].parameters is None
    mgp = by_name["mgp_grade_export_csv"].parameters
    assert mgp is not None
    assert mgp["enrollment_term_id"].required is True


def test_account_report_lifecycle(canvas: CanvasWorld, ada: CanvasClient) -> None:
    started = ada.start_account_report(1, "grade_export_csv", {"enrollment_term_id": 1})
    assert started.status == "created"
    assert started.parameters == {"enrollment_term_id": 1}
    assert started.attachment is None
    assert started.id in {r.id for r in ada.list_account_reports(1, "grade_export_csv")}
    canvas.advance(REPORT_SECONDS + 1)
    done = ada.get_account_report(1, "grade_export_csv", started.id)
    assert done.status == "complete"
    assert done.progress == 100
    assert done.attachment is not None
    assert done.attachment.url
    body = download(ada, done.attachment.url)
    assert body.startswith(b"student name,student id")
    last_run = {r.report: r.last_run for r in ada.list_available_reports(1)}["grade_export_csv"]
    assert last_run is not None
    assert last_run.id == started.id


def test_abort_a_running_account_report(canvas: CanvasWorld, ada: CanvasClient) -> None:
    started = ada.start_account_report(1, "grade_export_csv", {})
    with pytest.raises(CanvasNotFound):  # Canvas aborts only running reports
        ada.abort_account_report(1, "grade_export_csv", started.id)
    canvas.advance(REPORT_SECONDS * 0.3)
    assert ada.get_account_report(1, "grade_export_csv", started.id).status == "running"
    assert ada.abort_account_report(1, "grade_export_csv", started.id).status == "aborted"


def test_delete_an_account_report(canvas: CanvasWorld, ada: CanvasClient) -> None:
    started = ada.start_account_report(1, "grade_export_csv", {})
    canvas.advance(REPORT_SECONDS + 1)
    assert ada.delete_account_report(1, "grade_export_csv", started.id).status == "deleted"
    with pytest.raises(CanvasNotFound):
        ada.get_account_report(1, "grade_export_csv", started.id)
    assert started.id not in {r.id for r in ada.list_account_reports(1, "grade_export_csv")}


def test_account_report_errors_carry_canvas_messages(ada: CanvasClient, tina: CanvasClient) -> None:
    with pytest.raises(CanvasNotFound, match="does not exist"):
        ada.start_account_report(1, "no_such_report_csv", {})
    with pytest.raises(CanvasBadRequest, match="invalid enrollment_term_id"):
        ada.start_account_report(1, "grade_export_csv", {"enrollment_term_id": "nope"})
    with pytest.raises(CanvasNotPermitted, match="not authorized"):
        tina.list_available_reports(1)


# ---------------------------------------------------------------- course reports


def test_course_report_lifecycle(canvas: CanvasWorld, tina: CanvasClient) -> None:
    assert tina.last_course_report(101, "course_pace_docx") is None
    started = tina.start_course_report(101, "course_pace_docx", {"section_ids": []})
    assert started.status == "created"
    canvas.advance(REPORT_SECONDS + 1)
    done = tina.get_course_report(101, "course_pace_docx", started.id)
    assert done.status == "complete"
    assert done.file_url
    last = tina.last_course_report(101, "course_pace_docx")
    assert last is not None
    assert last.id == started.id
    assert download(tina, done.file_url).startswith(b"PK")  # a .docx is a zip
    with pytest.raises(CanvasBadRequest, match="invalid report type"):
        tina.start_course_report(101, "nope", {})


# ---------------------------------------------------------------- classic quiz reports


def test_quiz_reports_plain(canvas: CanvasWorld, tina: CanvasClient) -> None:
    assert {r.report_type for r in tina.list_quiz_reports(101, 201)} == {
        "student_analysis",
        "item_analysis",
    }
    created = tina.create_quiz_report(101, 201, "student_analysis")
    assert created.quiz_id == 201
    assert created.progress_url
    with pytest.raises(CanvasConflict, match="already being generated"):
        tina.create_quiz_report(101, 201, "student_analysis")
    canvas.advance(REPORT_SECONDS + 5)
    progress = tina.get_progress(int(created.progress_url.rsplit("/", 1)[1]))
    assert progress.workflow_state == "completed"
    done = tina.get_quiz_report(101, 201, created.id)
    assert done.file is not None
    assert done.file.url
    assert download(tina, done.file.url).startswith(b"name,id")
    assert tina.create_quiz_report(101, 201, "student_analysis").id == created.id  # reused
    tina.abort_quiz_report(101, 201, created.id)  # deletes the generated CSV (204)
    assert tina.get_quiz_report(101, 201, created.id).file is None


def test_quiz_reports_json_api_match_plain(canvas: CanvasWorld, tina: CanvasClient) -> None:
    created = tina.create_quiz_report(101, 201, "item_analysis", json_api=True)
    assert created.quiz_id == 201
    assert created.progress is not None
    assert created.progress_url
    canvas.advance(REPORT_SECONDS + 5)
    plain = tina.get_quiz_report(101, 201, created.id)
    json_api = tina.get_quiz_report(101, 201, created.id, json_api=True)
    fields = {"id", "quiz_id", "report_type", "includes_all_versions", "file", "url"}
    assert json_api.model_dump(include=fields) == plain.model_dump(include=fields)
    listed = {r.id: r for r in tina.list_quiz_reports(101, 201, json_api=True)}
    assert listed[created.id].file == plain.file


def test_abort_a_quiz_report_that_is_not_generating_is_unprocessable(tina: CanvasClient) -> None:
    report = next(r for r in tina.list_quiz_reports(101, 202) if r.file is None)
    with pytest.raises(CanvasUnprocessable, match="not being generated"):
        tina.abort_quiz_report(101, 202, report.id)


def test_students_may_not_read_quiz_reports(canvas: CanvasWorld) -> None:
    student = canvas.connected_client(STU)
    with pytest.raises(CanvasNotPermitted):
        student.list_quiz_reports(101, 201)


def test_unknown_quiz_report_type_is_refused_locally(tina: CanvasClient) -> None:
    with pytest.raises(ValueError, match="unknown quiz report type"):
        tina.create_quiz_report(101, 201, "everything")


# ---------------------------------------------------------------- New Quizzes, Progress, files


def test_new_quiz_report_returns_a_progress_to_poll(
    canvas: CanvasWorld, tina: CanvasClient
) -> None:
    progress = tina.create_new_quiz_report(101, 301, "student_analysis", "csv")
    assert progress.workflow_state in {"queued", "running"}
    assert progress.context_type == "Assignment"
    canvas.advance(REPORT_SECONDS + 5)
    done = tina.get_progress(progress.id)
    assert done.workflow_state == "completed"
    assert done.results is not None
    assert download(tina, str(done.results["url"]))


def test_cancel_progress(tina: CanvasClient) -> None:
    progress = tina.create_new_quiz_report(101, 301, "item_analysis", "json")
    cancelled = tina.cancel_progress(progress.id, "no longer needed")
    assert cancelled.workflow_state == "failed"
    assert cancelled.message == "no longer needed"


def test_get_file_and_download_never_send_the_token_to_storage(
    canvas: CanvasWorld, ada: CanvasClient, grade_export: AccountReport
) -> None:
    assert grade_export.attachment is not None
    file = ada.get_file(grade_export.attachment.id)
    assert file.display_name.endswith(".csv")
    assert file.content_type == "text/csv"
    assert file.url
    assert "verifier=" in file.url
    body = download(ada, file.url)
    assert len(body) == file.size
    hits = storage_hits(canvas.live.emulator)
    assert hits
    assert all(hit.authorization is None for hit in hits)
    canvas_host = urlsplit(canvas.live.url).netloc
    assert all(hit.host != canvas_host for hit in hits)  # storage really is another host


def test_account_file_url_without_verifier_needs_a_browser_session(
    ada: CanvasClient, grade_export: AccountReport
) -> None:
    assert grade_export.file_url
    with pytest.raises(CanvasNotPermitted):
        download(ada, grade_export.file_url)  # Canvas ignores bearer tokens on non-API paths
