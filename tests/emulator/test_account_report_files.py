"""Account report files: names, headers exactly as Canvas's, rows from the seed."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.reports import account_csv
from emulator.reports.account_catalogue import CATALOGUE
from emulator.seed import seed_store
from emulator.store import AccountReport, QuizSubmission, Store
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
USERS_HEADER = ("canvas_user_id,user_id,integration_id,authentication_provider_id,login_id,"
                "first_name,last_name,full_name,sortable_name,short_name,email,status,"
                "created_by_sis")
GRADE_HEADER = ("student name,student id,student sis,course,course id,course sis,section,"
                "section id,section sis,term,term id,term sis,current score,final score,"
                "enrollment state,unposted current score,unposted final score,current grade,"
                "final grade,unposted current grade,unposted final grade")


def run(frozen: LiveEmulator, report: str, parameters: dict[str, Any] | None = None,
        account: int = 1) -> tuple[dict[str, Any], bytes]:
    """Create a report, let it finish, and download its file through the verifier URL."""
    api = api_as(frozen, 1)
    created = api.post(f"/api/v1/accounts/{account}/reports/{report}",
                       json={"parameters": parameters or {}}).json()
    frozen.emulator.store.clock.advance(1)
    done: dict[str, Any] = api.get(
        f"/api/v1/accounts/{account}/reports/{report}/{created['id']}").json()
    assert done["status"] == "complete", done
    return done, download(api, done["attachment"]["url"])


def download(api: Api, url: str) -> bytes:
    response = api.session.get(url, timeout=10)  # follows the redirect to the storage host
    assert response.status_code == 200
    return response.content


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def offline(report_type: str, parameters: dict[str, Any], store: Store | None = None,
            account: int = 1) -> tuple[account_csv.Output, AccountReport]:
    if store is None:
        store = Store()
        seed_store(store, 42, "small")
    report = AccountReport(1, account, report_type, 1, parameters, "running", 0, NOW)
    return account_csv.generate(store, report, NOW), report


def test_provisioning_users_only_is_a_csv(frozen: LiveEmulator) -> None:
    done, data = run(frozen, "provisioning_csv", {"users": True})
    day = frozen.emulator.store.now().strftime("%d_%b_%Y")
    assert done["attachment"]["filename"] == f"provisioning_csv_{day}_{done['id']}.csv"
    assert done["attachment"]["display_name"] == done["attachment"]["filename"]
    rows = rows_of(data)
    assert ",".join(rows[0]) == USERS_HEADER
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["10"][1:] == ["S000010", "", "", "stu.student10", "Stu", "Student",
                               "Stu Student", "Student, Stu", "Stu",
                               "stu.student10@student.example.edu", "active", "true"]
    assert len(rows) - 1 == len(frozen.emulator.store.users)
    assert done["parameters"]["extra_text"] == "Term: All Terms; Reports: users "


def test_provisioning_several_tables_is_a_zip(frozen: LiveEmulator) -> None:
    tables = ["users", "accounts", "terms", "courses", "sections", "enrollments"]
    done, data = run(frozen, "provisioning_csv", dict.fromkeys(tables, "true"))
    assert done["attachment"]["content-type"] == "application/zip"
    assert done["attachment"]["filename"].endswith(f"_{done['id']}.zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == sorted(f"{t}.csv" for t in tables)
    headers = {name: archive.read(name).decode().splitlines()[0] for name in archive.namelist()}
    assert headers["users.csv"] == USERS_HEADER
    assert headers["accounts.csv"] == ("canvas_account_id,account_id,canvas_parent_id,"
                                       "parent_account_id,name,status,created_by_sis")
    assert headers["terms.csv"] == ("canvas_term_id,term_id,name,status,start_date,end_date,"
                                    "created_by_sis")
    assert headers["courses.csv"] == (
        "canvas_course_id,course_id,integration_id,short_name,long_name,canvas_account_id,"
        "account_id,canvas_term_id,term_id,status,start_date,end_date,course_format,"
        "canvas_blueprint_course_id,blueprint_course_id,created_by_sis")
    assert headers["sections.csv"] == (
        "canvas_section_id,section_id,canvas_course_id,course_id,integration_id,name,status,"
        "start_date,end_date,canvas_account_id,account_id,created_by_sis")
    assert headers["enrollments.csv"] == (
        "canvas_course_id,course_id,canvas_user_id,user_id,role,role_id,canvas_section_id,"
        "section_id,status,canvas_associated_user_id,associated_user_id,created_by_sis,"
        "base_role_type,limit_section_privileges,canvas_enrollment_id")
    accounts = rows_of(archive.read("accounts.csv"))
    assert [row[0] for row in accounts[1:]] == ["2", "3"]
    courses = {row[0]: row for row in rows_of(archive.read("courses.csv"))[1:]}
    assert courses["105"][9] == "unpublished"
    assert courses["101"][9] == "active"


def test_courses_tables_place_the_blueprint_columns_as_sis_exporter_does() -> None:
    """canvas-lms ``account_reports/sis_exporter.rb`` ``course_headers``: after
    ``course_format``; the SIS format has only ``blueprint_course_id``, last."""
    provisioning, _ = offline("provisioning_csv", {"courses": True})
    assert provisioning.tables["courses"][0] == [
        "canvas_course_id", "course_id", "integration_id", "short_name", "long_name",
        "canvas_account_id", "account_id", "canvas_term_id", "term_id", "status", "start_date",
        "end_date", "course_format", "canvas_blueprint_course_id", "blueprint_course_id",
        "created_by_sis"]  # fmt: skip
    sis, _ = offline("sis_export_csv", {"courses": True})
    assert sis.tables["courses"][0] == [
        "course_id", "integration_id", "short_name", "long_name", "account_id", "term_id",
        "status", "start_date", "end_date", "course_format", "blueprint_course_id"]  # fmt: skip


def test_a_blueprint_association_fills_both_blueprint_columns() -> None:
    store = Store()
    seed_store(store, 42, "small")
    store.courses[102].blueprint_course_id = 101  # Chemistry 201 follows Biology 101
    provisioning, _ = offline("provisioning_csv", {"courses": True}, store)
    rows = {row[0]: row for row in provisioning.tables["courses"][1:]}
    assert rows[102][13:16] == [101, "BIO101-FA26", "true"]
    assert rows[101][13:15] == [None, None]
    sis, _ = offline("sis_export_csv", {"courses": True}, store)
    sis_rows = {row[0]: row for row in sis.tables["courses"][1:]}
    assert sis_rows[store.courses[102].sis_course_id][-1] == "BIO101-FA26"
    assert sis_rows["BIO101-FA26"][-1] is None


def test_provisioning_term_filter_and_sub_account_scope() -> None:
    output, report = offline("provisioning_csv", {"courses": "1", "enrollment_term_id": "2"})
    courses = output.tables["courses"]
    assert [row[0] for row in courses[1:]] == [105]
    assert report.parameters["extra_text"] == "Term: Spring 2027; Reports: courses "
    arts, _ = offline("provisioning_csv", {"courses": True}, account=3)
    assert [row[0] for row in arts.tables["courses"][1:]] == [103]


def test_grade_export_headers_and_rows(frozen: LiveEmulator) -> None:
    _done, data = run(frozen, "grade_export_csv", {"enrollment_term_id": 1})
    rows = rows_of(data)
    assert ",".join(rows[0]) == GRADE_HEADER
    store = frozen.emulator.store
    stu = next(row for row in rows[1:] if row[1] == "10")
    enrollment = store.enrollments_of(10, 101)[0]
    assert stu[0] == "Student, Stu"
    assert stu[3:6] == ["Biology 101", "101", "BIO101-FA26"]
    assert stu[9:12] == ["Fall 2026", "1", "FA26"]
    assert float(stu[12]) == enrollment.current_score
    assert stu[14] == "active"
    assert {row[14] for row in rows[1:]} <= {"active", "concluded"}
    students = [e for e in store.enrollments.values() if e.type == "StudentEnrollment"
                and e.workflow_state in ("active", "completed")
                and store.courses[e.course_id].workflow_state == "available"]
    assert len(rows) - 1 == len(students)


def test_last_user_access(frozen: LiveEmulator) -> None:
    _done, data = run(frozen, "last_user_access_csv", {"course_id": 103})
    rows = rows_of(data)
    assert rows[0] == ["user id", "user sis id", "user name", "last access at", "last ip"]
    store = frozen.emulator.store
    members = {e.user_id for e in store.enrollments.values() if e.course_id == 103}
    assert {int(row[0]) for row in rows[1:]} == members
    terry = next(row for row in rows[1:] if row[0] == "6")
    last = store.users[6].last_request_at
    assert last is not None
    assert terry[2:4] == ["Teacher, Terry", last.isoformat()]


@pytest.mark.parametrize(
    "report_type",
    ["last_user_access_csv", "last_enrollment_activity_csv", "students_with_no_submissions_csv",
     "zero_activity_csv"],
)
def test_a_course_filter_is_noted_in_extra_text(report_type: str) -> None:
    _output, report = offline(report_type, {"course_id": 101})
    assert "For Course: 101;" in report.parameters["extra_text"]
    _output, unfiltered = offline(report_type, {})
    assert "For Course" not in unfiltered.parameters.get("extra_text", "")


def test_every_catalogue_type_produces_a_file_with_a_header(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    for kind in CATALOGUE:
        params = {"users": True} if kind.report in ("provisioning_csv", "sis_export_csv") else {}
        output, _report = offline(kind.report, params, store)
        assert not output.empty, kind.report
        for rows in output.tables.values():
            assert rows, kind.report
            assert rows[0], kind.report


def test_sis_export_lists_only_sis_users() -> None:
    output, _ = offline("sis_export_csv", {"users": True})
    header, *rows = output.tables["users"]
    assert header[:5] == ["user_id", "integration_id", "authentication_provider_id", "login_id",
                          "password"]
    assert rows
    assert all(row[0] for row in rows)


def test_mgp_grade_export_without_grading_periods() -> None:
    output, _ = offline("mgp_grade_export_csv", {"enrollment_term_id": 1})
    assert output.tables == {"Fall 2026": [["no grading periods configured for this term"]]}
    assert not output.single


def submission(store: Store, user_id: int, finished: datetime) -> None:
    quiz_id = next((q.id for q in store.quizzes.values() if q.course_id == 101), 0)
    assert quiz_id, "the seed always has quiz 201 in course 101"
    sid = 900000 + len(store.quiz_submissions)
    store.quiz_submissions[sid] = QuizSubmission(sid, quiz_id, user_id, 1, finished, finished,
                                                 finished, 1.0)


@pytest.mark.parametrize(
    ("start", "end", "expected_start", "expected_end"),
    [
        ("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-10-18T00:00:00+00:00",
         "2026-11-01T00:00:00Z"),  # over two weeks: start moves
        ("2026-10-01T00:00:00Z", None, "2026-10-01T00:00:00Z", "2026-10-15T00:00:00+00:00"),
        (None, "2026-11-01T00:00:00Z", "2026-10-18T00:00:00+00:00", "2026-11-01T00:00:00Z"),
        (None, None, "2026-11-06T12:00:00+00:00", "2026-11-20T12:00:00+00:00"),
        ("2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z", "2026-10-01T00:00:00Z",
         "2026-10-05T00:00:00Z"),  # within two weeks: unchanged
    ],
)
def test_two_week_rule(start: str | None, end: str | None, expected_start: str,
                       expected_end: str) -> None:
    params = {k: v for k, v in (("start_at", start), ("end_at", end)) if v}
    _output, report = offline("students_with_no_submissions_csv", params)
    assert report.parameters["start_at"] == expected_start
    assert report.parameters["end_at"] == expected_end


def test_students_with_no_submissions_honours_the_window() -> None:
    store = Store()
    seed_store(store, 42, "small")
    for sub in list(store.quiz_submissions):
        del store.quiz_submissions[sub]
    submission(store, 10, datetime(2026, 11, 10, tzinfo=UTC))
    params = {"start_at": "2026-11-05T00:00:00Z", "end_at": "2026-11-15T00:00:00Z",
              "course_id": 101, "include_enrollment_state": True}
    output, report = offline("students_with_no_submissions_csv", params, store)
    header, *rows = output.tables["students_with_no_submissions"]
    assert header[-1] == "enrollment state"
    assert "10" not in {str(row[0]) for row in rows}
    students = [e for e in store.enrollments.values()
                if e.course_id == 101 and e.type == "StudentEnrollment"]
    assert len(rows) == len(students) - 1
    assert "Include Enrollment State: true;" in report.parameters["extra_text"]
    outside = {"start_at": "2026-11-11T00:00:00Z", "end_at": "2026-11-15T00:00:00Z",
               "course_id": 101}
    later, _ = offline("students_with_no_submissions_csv", outside, store)
    assert 10 in {row[0] for row in later.tables["students_with_no_submissions"][1:]}


def test_zero_activity_uses_start_at_only() -> None:
    store = Store()
    seed_store(store, 42, "small")
    output, _ = offline("zero_activity_csv", {"course_id": 101}, store)
    never = {row[0] for row in output.tables["zero_activity"][1:]}
    assert never == {e.user_id for e in store.enrollments.values()
                     if e.course_id == 101 and e.type == "StudentEnrollment"
                     and e.workflow_state == "active"
                     and store.users[e.user_id].last_request_at is None}
    start = NOW - timedelta(days=20)
    recent, _ = offline("zero_activity_csv", {"course_id": 101,
                                              "start_at": start.isoformat()}, store)
    inactive = {row[0] for row in recent.tables["zero_activity"][1:]}
    assert never < inactive
    for uid in inactive - never:
        assert isinstance(uid, int)
        last = store.users[uid].last_request_at
        assert last is not None
        assert last <= start
    header = recent.tables["zero_activity"][0]
    assert header == ["user id", "user sis id", "name", "section id", "section sis id",
                      "section name", "course id", "course sis id", "course name"]


def test_course_list_reports() -> None:
    unpublished, _ = offline("unpublished_courses_csv", {})
    assert unpublished.tables["courses"][0] == ["id", "sis id", "short name", "name",
                                                "start date", "end date"]
    assert [row[0] for row in unpublished.tables["courses"][1:]] == [105]
    unused, _ = offline("unused_courses_csv", {})
    assert unused.tables["unused_courses"][0] == ["course id", "course sis id", "short name",
                                                  "long name", "status", "created at"]


def test_sub_account_admin_runs_a_scoped_report(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 2)
    created = api.post("/api/v1/accounts/2/reports/grade_export_csv",
                       json={"parameters": {}}).json()
    frozen.emulator.store.clock.advance(1)
    done = api.get(f"/api/v1/accounts/2/reports/grade_export_csv/{created['id']}").json()
    rows = rows_of(download(api, done["attachment"]["url"]))
    assert {row[4] for row in rows[1:]} == {"101", "102", "104"}  # account 2's courses only
    assert done["file_url"].startswith(f"{frozen.url}/accounts/2/files/")
