"""Account reports end to end: tool pages and worker against the live emulator."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.config import Settings
from app.db import Database
from app.reports import worker
from app.reports.service import START_WINDOW
from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as
from tests.integration.reports_harness import ADMIN_ROLES, World, world_for


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


ADMIN = 1
SUBADMIN = 2


def admin(world: World, account_id: int = 1, user_id: int = ADMIN):
    return world.launch(
        user_id, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=account_id
    )


def test_catalogue_lists_canvas_reports_with_forms(world: World) -> None:
    ada = admin(world)
    page = ada.get("/reports/account")
    assert page.status_code == 200, page.text
    assert "Students with no submissions" in page.text
    form = ada.get("/reports/account/students_with_no_submissions_csv")
    assert form.status_code == 200, form.text
    assert 'type="date"' in form.text
    assert 'name="p_enrollment_term_id"' in form.text
    assert 'value="active_terms"' in form.text
    assert "Fall 2026" in form.text  # the term picker lists the account's terms


def test_start_poll_complete_download(world: World) -> None:
    ada = admin(world)
    started = ada.post("/reports/account/last_user_access_csv", {"p_include_deleted": "1"})
    assert started.status_code == 303, started.text
    [job] = world.jobs()
    assert job.status in {JobStatus.QUEUED, JobStatus.RUNNING}
    assert job.parameters == {"include_deleted": True}
    assert job.canvas_report_id is not None
    world.run_until_settled()
    job = world.job(job.id)
    assert job.status == JobStatus.COMPLETE
    assert job.file_name
    assert job.file_name.endswith(".csv")
    assert [e.to_status for e in job.events][-1] == "complete"
    download = ada.get(f"/reports/jobs/{job.id}/download")
    assert download.status_code == 200
    store = world.live.emulator.store
    report = store.account_reports[job.canvas_report_id]
    assert download.data == store.attachments[report.attachment_id].data
    assert job.file_name in download.headers["Content-Disposition"]
    assert int(download.headers["Content-Length"]) == job.file_size


def test_live_progress_endpoint_reads_only_the_database(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    viewers = [admin(world) for _ in range(5)]
    before = world.canvas.count
    assert before > 0  # the counter sees the tool's Canvas calls (the start above)
    for viewer in viewers:
        answer = viewer.api(f"/api/jobs?ids={job.id}")
        assert answer.status_code == 200
        assert answer.json["jobs"][0]["id"] == job.id
        single = viewer.api(f"/api/jobs/{job.id}")
        assert single.json["status"] == job.status
    assert world.canvas.count == before


def test_abort_only_while_canvas_says_running(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "account_report", "stick")
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    # Still "created" in Canvas: the tool refuses, as Canvas would (404).
    refused = ada.post(f"/reports/jobs/{job.id}/abort", headers={"Accept": "application/json"})
    assert refused.status_code == 409
    world.advance(3)
    world.sweep()
    assert world.job(job.id).canvas_state == "running"
    aborted = ada.post(f"/reports/jobs/{job.id}/abort", headers={"Accept": "application/json"})
    assert aborted.status_code == 200, aborted.text
    assert aborted.json["status"] == "aborted"
    assert (
        world.live.emulator.store.account_reports[job.canvas_report_id].workflow_state == "aborted"
    )


def test_delete_removes_the_report_in_canvas(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    deleted = ada.post(f"/reports/jobs/{job.id}/delete", headers={"Accept": "application/json"})
    assert deleted.status_code == 200, deleted.text
    assert world.job(job.id).status == JobStatus.DELETED
    assert (
        world.live.emulator.store.account_reports[job.canvas_report_id].workflow_state == "deleted"
    )


def test_failure_is_recorded_with_canvas_text(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "account_report", "fail")
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert job.error
    retry = ada.post(f"/reports/jobs/{job.id}/retry", headers={"Accept": "application/json"})
    assert retry.status_code == 200, retry.text
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert world.job(job.id).retries == 1


def test_long_range_is_split_into_two_week_runs_offered_together(world: World) -> None:
    ada = admin(world)
    started = ada.post(
        "/reports/account/students_with_no_submissions_csv",
        {"p_start_at": "2026-08-01", "p_end_at": "2026-09-10"},
    )
    assert started.status_code == 303, started.text
    jobs = world.jobs()
    assert len(jobs) == 3
    assert len({job.group_key for job in jobs}) == 1
    assert jobs[0].group_key
    assert [(j.parameters["start_at"], j.parameters["end_at"]) for j in jobs] == [
        ("2026-08-01T00:00:00", "2026-08-15T00:00:00"),
        ("2026-08-15T00:00:00", "2026-08-29T00:00:00"),
        ("2026-08-29T00:00:00", "2026-09-11T00:00:00"),
    ]
    world.run_until_settled()
    # Canvas kept each window as sent (none exceeded two weeks, so none was clamped).
    store = world.live.emulator.store
    for job in world.jobs():
        assert job.status == JobStatus.COMPLETE
        sent = store.account_reports[job.canvas_report_id].parameters
        assert sent["start_at"].startswith(job.parameters["start_at"][:10])
    page = ada.get(f"/reports/jobs/{jobs[0].id}")
    assert page.status_code == 200
    assert len(re.findall(r'class="report-download[ "]', page.text)) == 3
    def no_scratch_files(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("student data must not be written to disk")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "TemporaryFile", no_scratch_files)
        patch.setattr(tempfile, "SpooledTemporaryFile", no_scratch_files)
        patch.setattr(tempfile, "NamedTemporaryFile", no_scratch_files)
        bundle = ada.get(f"/reports/jobs/{jobs[1].id}/group.zip")
        assert bundle.status_code == 200
        assert "Content-Length" not in bundle.headers  # streamed as it is built
        data = bundle.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert [name[:3] for name in names] == ["01_", "02_", "03_"]
        for name, job in zip(names, world.jobs(), strict=True):
            report = store.account_reports[job.canvas_report_id]
            assert archive.read(name) == store.attachments[report.attachment_id].data


def test_history_merges_canvas_index_with_our_rows(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    # Someone starts one directly in Canvas.
    other = api_as(world.live, ADMIN).post(
        "/api/v1/accounts/1/reports/last_user_access_csv", json={"parameters": {}}
    )
    assert other.status_code == 200
    world.run_until_settled()
    world.advance(5)
    page = ada.get("/reports/account/last_user_access_csv")
    assert page.status_code == 200
    assert "(in Canvas)" in page.text
    [job] = world.jobs()
    assert f'data-job-id="{job.id}"' in page.text
    canvas_only = other.json()["id"]
    file_link = f"/reports/account/last_user_access_csv/{canvas_only}/file"
    assert file_link in page.text
    download = ada.get(file_link)
    assert download.status_code == 200
    assert download.data.startswith(b"user id")


def test_audit_shows_who_did_what(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    ada.get(f"/reports/jobs/{job.id}/download")
    ada.post(f"/reports/jobs/{job.id}/delete", {"confirm": "1"})
    page = ada.get("/reports/account")
    audit = page.text.split('id="audit-title"')[1]
    for action in ("started", "downloaded", "deleted"):
        assert f"<td>{action}</td>" in audit
    assert "User 1" in audit


def test_restarting_app_and_worker_loses_nothing(world: World, settings: Settings) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    # A new process: a fresh app, engine and Huey on the same database; nothing in memory.
    restarted = create_app(settings)
    restarted.extensions["clock"] = world.now
    world.app = restarted
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    db: Database = restarted.extensions["db"]
    db.engine.dispose()


def test_landing_page_shows_the_reports_panel(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    landing = ada.get("/account")
    assert landing.status_code == 200, landing.text
    assert "Students with no submissions" in landing.text  # the catalogue itself, no button
    assert f'data-job-id="{job.id}"' in landing.text
    assert 'aria-live="polite"' in landing.text
    assert 'role="progressbar"' in landing.text


def test_the_huey_task_polls_due_jobs_with_the_app_clock(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    polls_before = job.polls
    poll_task = world.app.extensions["huey_poll_job"]
    poll_task(job.id)  # immediate mode: runs now; nothing is due yet
    assert world.job(job.id).polls == polls_before
    world.advance(60)
    poll_task(job.id)
    job = world.job(job.id)
    assert job.polls == polls_before + 1
    assert job.status == JobStatus.COMPLETE


LOST_POST = r"^/api/v1/accounts/1/reports/last_user_access_csv$"


def test_a_create_whose_answer_was_lost_is_found_by_listing(world: World) -> None:
    # Canvas created the report but the answer never arrived (a 5xx after the work).
    created = api_as(world.live, ADMIN).post(
        "/api/v1/accounts/1/reports/last_user_access_csv", json={"parameters": {}}
    )
    faults.add_route_fault(
        world.live.emulator, "error", LOST_POST, method="POST", status=502, count=1
    )
    ada = admin(world)
    answer = ada.post("/reports/account/last_user_access_csv")
    assert answer.status_code == 303, answer.text
    [job] = world.jobs()
    assert job.canvas_report_id == created.json()["id"]
    assert len(world.live.emulator.store.account_reports) == 1  # no duplicate


def test_a_create_canvas_did_not_make_stays_starting_and_is_tried_again(world: World) -> None:
    faults.add_route_fault(
        world.live.emulator, "error", LOST_POST, method="POST", status=502, count=1
    )
    ada = admin(world)
    answer = ada.post("/reports/account/last_user_access_csv")
    assert answer.status_code == 303  # the request never waits for Canvas
    [job] = world.jobs()
    assert job.status == JobStatus.STARTING
    assert job.canvas_report_id is None
    assert job.error == "An error occurred."  # Canvas's 502 body, kept for the page
    assert world.live.emulator.store.account_reports == {}  # Canvas made nothing
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert len(world.live.emulator.store.account_reports) == 1


def test_form_actions_redirect_back_to_the_page_they_came_from(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    back = ada.post(
        f"/reports/jobs/{job.id}/delete",
        {"next": "/reports/account/last_user_access_csv", "confirm": "1"},
    )
    assert back.status_code == 303
    assert back.headers["Location"] == f"/reports/account/last_user_access_csv?lt={ada.token}"
    # An off-site "next" is refused before the delete (docs/security.md, "Input rules").
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    second = world.jobs()[-1]
    away = ada.post(
        f"/reports/jobs/{second.id}/delete", {"next": "//evil.example/x", "confirm": "1"}
    )
    assert away.status_code == 400
    assert "Location" not in away.headers
    assert world.job(second.id).status == JobStatus.COMPLETE
    # Without a "next" the action goes back to the job page.
    plain = ada.post(f"/reports/jobs/{second.id}/delete", {"confirm": "1"})
    assert plain.headers["Location"].startswith(f"/reports/jobs/{second.id}?lt=")


def test_one_task_run_drains_a_backlog_larger_than_a_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "SWEEP_BATCH", 2)
    ada = admin(world)
    for _ in range(5):  # identical starts, each after the last one's start window
        ada.post("/reports/account/last_user_access_csv")
        world.sweep()
        world.advance(START_WINDOW.total_seconds() + 1)
    world.advance(60)
    world.app.extensions["huey_sweep"]()  # the periodic sweep, as the consumer runs it
    assert [job.status for job in world.jobs()] == [JobStatus.COMPLETE] * 5
