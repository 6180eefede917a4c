"""Failure paths: Canvas outages, reports vanishing behind the tool's back, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

JSON = {"Accept": "application/json"}
REPORT_GET = r"^/api/v1/accounts/1/reports/last_user_access_csv/\d+$"


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def admin(world: World) -> Actor:
    return world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)


def teacher(world: World) -> Actor:
    return world.launch(3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101)


def test_a_canvas_outage_delays_polling_without_changing_status(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    faults.add_route_fault(world.live.emulator, "error", REPORT_GET, status=503)
    world.advance(3)
    result = world.sweep()
    assert result.polled == [job.id]
    during = world.job(job.id)
    assert during.status == JobStatus.QUEUED
    assert during.error
    assert during.next_poll_at is not None
    assert during.next_poll_at >= world.now() + world.policy.budget_delay
    faults.clear(world.live.emulator)
    world.run_until_settled()
    after = world.job(job.id)
    assert after.status == JobStatus.COMPLETE
    assert after.error is None


def test_a_report_deleted_in_canvas_becomes_deleted(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "account_report", "stick")
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    gone = api_as(world.live, 1).delete(
        f"/api/v1/accounts/1/reports/last_user_access_csv/{job.canvas_report_id}"
    )
    assert gone.status_code == 200
    world.run_until_settled()
    job = world.job(job.id)
    assert job.status == JobStatus.DELETED
    assert "no longer" in job.events[-1].detail


def test_a_vanished_progress_fails_the_new_quiz_job(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    tina.post("/reports/new_quiz/301", {"report_type": "item_analysis", "format": "csv"})
    [job] = world.jobs()
    with world.live.emulator.store.lock:
        del world.live.emulator.store.progresses[job.canvas_progress_id]
    world.run_until_settled()
    job = world.job(job.id)
    assert job.status == JobStatus.FAILED
    assert job.error


def test_new_quiz_409_for_a_report_the_tool_did_not_start_is_explained(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    outside = api_as(world.live, 3).post(
        "/api/quiz/v1/courses/101/quizzes/301/reports",
        json={"quiz_report": {"report_type": "student_analysis", "format": "csv"}},
    )
    assert outside.status_code == 200
    answer = teacher(world).post(
        "/reports/new_quiz/301", {"report_type": "student_analysis", "format": "csv"}
    )
    assert answer.status_code == 303  # recorded; the worker's POST meets Canvas's 409
    world.sweep()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert job.error == "Canvas is already generating this report; try again in a few minutes."
    assert job.canvas_progress_id is None
    assert len(world.live.emulator.store.new_quiz_reports) == 1


def test_course_report_failure_retry_and_local_delete(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "course_report", "fail")
    tina = teacher(world)
    tina.post("/reports/course/course_pace_docx")
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.run_until_settled()
    job = world.job(job.id)
    assert job.status == JobStatus.COMPLETE
    assert job.retries == 1
    deleted = tina.post(f"/reports/jobs/{job.id}/delete", headers=JSON)
    assert deleted.status_code == 200
    assert "removed from this tool" in world.job(job.id).events[-1].detail


def test_running_jobs_cannot_be_deleted_or_downloaded(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    assert ada.post(f"/reports/jobs/{job.id}/delete", headers=JSON).status_code == 409
    assert ada.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 409
    assert ada.get(f"/reports/jobs/{job.id}/download").status_code == 404
    assert ada.get(f"/reports/jobs/{job.id}/group.zip").status_code == 404  # not split
    assert world.job(job.id).status == JobStatus.QUEUED


def test_bad_form_values_are_refused_before_canvas(world: World) -> None:
    ada = admin(world)
    answer = ada.post(
        "/reports/account/students_with_no_submissions_csv",
        {"p_start_at": "2026-09-10", "p_end_at": "2026-09-01"},
    )
    assert answer.status_code == 400
    assert world.jobs() == []
    assert ada.post("/reports/account/no_such_report").status_code == 404
    assert ada.post("/reports/jobs/1/explode", headers=JSON).status_code in {400, 404}
    assert ada.api("/api/jobs?ids=1,x").status_code == 400
