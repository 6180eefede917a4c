"""Account report forms and job actions against the live emulator: labels and pickers,
per-field errors before anything reaches Canvas (every value kept), the confirmation step
for abort/delete without JavaScript, and an abort that lost its race to completion."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, Actor, World, world_for

JSON = {"Accept": "application/json"}


class CanvasRequests:
    """WSGI middleware on the emulator: method and path of every Canvas API request."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi = wsgi
        self.seen: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_emulator/"):
            self.seen.append((environ.get("REQUEST_METHOD", ""), path))
        return self.wsgi(environ, start_response)

    def posts(self) -> list[str]:
        return [path for method, path in self.seen if method in {"POST", "PUT", "DELETE"}]


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


@pytest.fixture
def canvas(world: World) -> CanvasRequests:
    requests = CanvasRequests(world.live.app.wsgi_app)
    world.live.app.wsgi_app = requests  # type: ignore[method-assign]
    return requests


def admin(world: World) -> Actor:
    return world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<div class="field-error" id="{field}-error">([^<]*)</div>', page)
    assert found, f"no inline error for {field}"
    return html.unescape(found.group(1))


def tag(page: str, element_id: str) -> str:
    found = re.search(rf'<(?:input|select|fieldset)[^>]*\bid="{element_id}"[^>]*>', page)
    assert found, f"no element {element_id}"
    return found.group(0)


# ---------------------------------------------------------------- the form as shown


def test_form_shows_labels_in_logical_order_with_pickers(world: World) -> None:
    page = admin(world).get("/reports/account/students_with_no_submissions_csv").text
    # Human labels instead of Canvas's descriptions; start before end.
    assert "The beginning date for submissions" not in page
    labels = re.findall(r'<label for="(p_[a-z_]+)">([^<*]+)', page)
    order = [name for name, _ in labels]
    assert order.index("p_enrollment_term_id") < order.index("p_course_id")
    assert order.index("p_course_id") < order.index("p_start_at") < order.index("p_end_at")
    assert dict(labels)["p_start_at"].strip() == "Start date"
    assert dict(labels)["p_end_at"].strip() == "End date"
    # Course picker (from the account's courses) instead of a bare number field.
    assert '<select id="p_course_id" name="p_course_id"' in page
    assert '<option value="101">Biology 101 (BIO101)</option>' in page
    # Enrollment states as checkboxes.
    assert 'type="checkbox" id="p_enrollment_state-active" name="p_enrollment_state"' in page
    assert "<legend>Enrollment states</legend>" in page


def test_provisioning_tables_are_one_labelled_group(world: World) -> None:
    page = admin(world).get("/reports/account/provisioning_csv").text
    assert "Get the Provisioning file for" not in page
    assert "<legend>Tables to export" in page
    assert '<label for="p_group_categories">Group sets</label>' in page
    assert '<label for="p_StudentEnrollment"' not in page
    assert 'id="p_enrollment_filter-StudentEnrollment"' in page
    assert '<label for="p_enrollment_filter-TaEnrollment">TAs</label>' in page


def test_catalogue_is_sorted_case_insensitively(world: World) -> None:
    page = admin(world).get("/reports/account").text
    titles = re.findall(r'aria-label="Run or view history: ([^"]+)"', page)
    assert titles == sorted(titles, key=str.casefold)
    assert len(titles) > 10


# ---------------------------------------------------------------- refused before Canvas


def test_reversed_dates_are_an_inline_error_and_nothing_reaches_canvas(
    world: World, canvas: CanvasRequests
) -> None:
    ada = admin(world)
    answer = ada.post(
        "/reports/account/students_with_no_submissions_csv",
        {
            "p_start_at": "2026-09-10",
            "p_end_at": "2026-09-01",
            "p_course_id": "102",
            "p_enrollment_state": ["active", "completed"],  # type: ignore[dict-item]
            "p_include_enrollment_state": "1",
        },
    )
    assert answer.status_code == 400
    page = answer.text
    assert field_error(page, "p_end_at") == "The end date is before the start date."
    end = tag(page, "p_end_at")
    assert 'aria-invalid="true"' in end
    assert 'aria-describedby="p_end_at-help p_end_at-error"' in end
    assert 'aria-invalid="true"' not in tag(page, "p_start_at")
    # The summary at the top links to the field.
    assert 'id="form-summary"' in page
    assert '<a href="#p_end_at">The end date is before the start date.</a>' in page
    # Every value the user entered is still there.
    assert 'value="2026-09-10"' in tag(page, "p_start_at")
    assert 'value="2026-09-01"' in end
    assert '<option value="102" selected>' in page
    assert 'value="active" checked' in page
    assert 'value="completed" checked' in page
    assert 'value="invited" checked' not in page
    assert 'value="1" checked' in tag(page, "p_include_enrollment_state")
    assert world.jobs() == []
    assert canvas.posts() == []


def test_provisioning_without_a_table_is_refused_before_canvas(
    world: World, canvas: CanvasRequests
) -> None:
    ada = admin(world)
    answer = ada.post(
        "/reports/account/provisioning_csv",
        {"p_include_deleted": "1", "p_enrollment_term_id": "1"},
    )
    assert answer.status_code == 400
    assert field_error(answer.text, "p_tables") == "Choose at least one table to export."
    assert 'aria-describedby="p_tables-help p_tables-error"' in tag(answer.text, "p_tables")
    assert 'value="1" checked' in tag(answer.text, "p_include_deleted")
    assert '<option value="1" selected>Fall 2026</option>' in answer.text
    assert canvas.posts() == []
    # The same with a table ticked starts the report.
    started = ada.post("/reports/account/provisioning_csv", {"p_users": "1"})
    assert started.status_code == 303
    assert canvas.posts() == ["/api/v1/accounts/1/reports/provisioning_csv"]


def test_sis_export_without_a_table_is_refused_as_json_too(
    world: World, canvas: CanvasRequests
) -> None:
    answer = admin(world).post("/reports/account/sis_export_csv", {}, headers=JSON)
    assert answer.status_code == 400
    assert answer.json == {
        "error": "invalid_form",
        "message": "Choose at least one table to export.",
        "fields": {"p_tables": "Choose at least one table to export."},
    }
    assert canvas.posts() == []


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"p_course_id": "BIO"}, "p_course_id", "Course must be a Canvas course id."),
        ({"p_enrollment_term_id": "x"}, "p_enrollment_term_id", "Term must be a term."),
        ({"p_start_at": "yesterday"}, "p_start_at", "Start date must be a date (YYYY-MM-DD)."),
        ({"p_start_at": ""}, "p_start_at", "Start date is required."),
        (
            {"p_enrollment_state": "active,sleeping"},
            "p_enrollment_state",
            "Enrollment states must be among active, invited, creation_pending, completed, "
            "inactive, deleted, rejected.",
        ),
    ],
)
def test_bad_values_are_named_next_to_their_field(
    world: World, canvas: CanvasRequests, form: dict[str, str], field: str, message: str
) -> None:
    data = {"p_start_at": "2026-09-01", "p_end_at": "2026-09-05", **form}
    answer = admin(world).post("/reports/account/students_with_no_submissions_csv", data)
    assert answer.status_code == 400
    assert field_error(answer.text, field) == message
    assert canvas.posts() == []


def test_enrollment_states_go_to_canvas_as_a_list(world: World) -> None:
    ada = admin(world)
    started = ada.post(
        "/reports/account/provisioning_csv",
        {"p_enrollments": "1", "p_enrollment_states": ["active", "completed"]},  # type: ignore[dict-item]
    )
    assert started.status_code == 303, started.text
    [job] = world.jobs()
    assert job.parameters == {"enrollments": True, "enrollment_states": ["active", "completed"]}
    report = world.live.emulator.store.account_reports[job.canvas_report_id]
    assert report.parameters["enrollment_states"] == ["active", "completed"]


# ---------------------------------------------------------------- confirmation, abort race


def test_delete_without_confirmation_shows_a_confirm_page_and_changes_nothing(
    world: World, canvas: CanvasRequests
) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    before = len(canvas.posts())
    page = ada.post(f"/reports/jobs/{job.id}/delete", {"next": "/reports/account"})
    assert page.status_code == 200
    assert "<title>Please confirm</title>" in page.text
    assert '<input type="hidden" name="confirm" value="1">' in page.text
    assert '<input type="hidden" name="next" value="/reports/account">' in page.text
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert len(canvas.posts()) == before
    done = ada.post(f"/reports/jobs/{job.id}/delete", {"next": "/reports/account", "confirm": "1"})
    assert done.status_code == 303
    assert world.job(job.id).status == JobStatus.DELETED


def test_abort_without_confirmation_shows_a_confirm_page(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "account_report", "stick")
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.advance(3)
    world.sweep()
    [job] = world.jobs()
    page = ada.post(f"/reports/jobs/{job.id}/abort")
    assert page.status_code == 200
    assert f'Abort Last User Access? <span class="report-number">#{job.id}</span>' in page.text
    assert world.job(job.id).status == JobStatus.RUNNING
    assert ada.post(f"/reports/jobs/{job.id}/abort", {"confirm": "1"}).status_code == 303
    assert world.job(job.id).status == JobStatus.ABORTED


@pytest.fixture
def slow_reports(world: World) -> Iterator[None]:
    """Reports take a minute in Canvas, so a test can see one running between polls."""
    settings = world.live.settings
    before, settings.report_seconds = settings.report_seconds, 60.0
    yield
    settings.report_seconds = before


def _running_then_finished_in_canvas(world: World, ada: Actor) -> int:
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    world.advance(20)
    world.sweep()
    assert world.job(job.id).canvas_state == "running"
    # Canvas finishes; the tool has not polled since.
    world.advance(120)
    return job.id


@pytest.mark.usefixtures("slow_reports")
def test_abort_that_lost_the_race_answers_already_finished_in_place(world: World) -> None:
    ada = admin(world)
    job_id = _running_then_finished_in_canvas(world, ada)
    answer = ada.post(f"/reports/jobs/{job_id}/abort", {"confirm": "1"}, headers=JSON)
    assert answer.status_code == 409
    assert answer.json["notice"] == "finished"
    assert answer.json["message"] == (
        "This report had already finished: there was nothing left to abort."
    )
    assert answer.json["job"]["status"] == "complete"
    assert answer.json["job"]["finished"] is True
    assert answer.json["job"]["can_abort"] is False
    assert world.job(job_id).status == JobStatus.COMPLETE  # the refresh was kept


@pytest.mark.usefixtures("slow_reports")
def test_abort_that_lost_the_race_without_javascript_goes_back_with_a_notice(
    world: World,
) -> None:
    ada = admin(world)
    job_id = _running_then_finished_in_canvas(world, ada)
    answer = ada.post(f"/reports/jobs/{job_id}/abort", {"confirm": "1", "next": "/reports/account"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == (
        f"/reports/account?lt={ada.token}&notice=finished&job={job_id}"
    )
    page = ada.get(f"/reports/account?notice=finished&job={job_id}")
    assert (
        '<p class="report-notice" role="status" id="report-page-notice">'
        "This report had already finished: there was nothing left to abort.</p>"
    ) in page.text
    assert world.job(job_id).status == JobStatus.COMPLETE


# ---------------------------------------------------------------- live progress JSON


@pytest.mark.usefixtures("slow_reports")
def test_job_json_has_phase_and_elapsed(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    queued = ada.api(f"/api/jobs/{job.id}").json
    assert (queued["phase"], queued["phase_label"], queued["elapsed_seconds"]) == (
        "queued",
        "Queued",
        0,
    )
    world.advance(20)
    world.sweep()
    running = ada.api(f"/api/jobs/{job.id}").json
    assert (running["phase"], running["phase_label"]) == ("running", "Running")
    assert running["finished"] is False
    assert running["elapsed_seconds"] == 20
    world.run_until_settled()
    done = ada.api(f"/api/jobs/{job.id}").json
    assert (done["phase"], done["finished"]) == ("complete", True)


def test_history_and_audit_trail_name_a_run_by_the_same_number(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    history = ada.get("/reports/account/last_user_access_csv").text
    audit = ada.get("/reports/account").text
    number = f">#{job.id}</a>"
    assert number in history
    assert number in audit.split('id="audit-title"')[1]
    assert f"Canvas id {job.canvas_report_id}" in history
