"""Course, classic quiz and New Quizzes reports end to end against the live emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as
from tests.integration.reports_harness import TEACHER_ROLES, Actor, World, world_for

TINA = 3  # teacher in 101, 102, 104
BIO = 101
MIDTERM = 201  # classic quiz in 101
GENETICS = 301  # New Quiz (assignment) in 101
JSON = {"Accept": "application/json"}


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def teacher(world: World) -> Actor:
    return world.launch(
        TINA, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=BIO
    )


def file_bytes(world: World, job_id: int) -> bytes:
    job = world.job(job_id)
    assert job.file_id is not None
    return world.live.emulator.store.attachments[job.file_id].data


# ---------------------------------------------------------------- course navigation


def test_course_page_lists_classic_and_new_quizzes(world: World) -> None:
    page = teacher(world).get("/reports/course")
    assert page.status_code == 200, page.text
    assert f"/reports/quiz/{MIDTERM}" in page.text
    assert f"/reports/new_quiz/{GENETICS}" in page.text
    assert "Cell Biology Midterm" in page.text
    assert "Genetics Check" in page.text


def test_course_pace_report_completes_and_downloads(world: World) -> None:
    tina = teacher(world)
    started = tina.post("/reports/course/course_pace_docx")
    assert started.status_code == 303, started.text
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.COMPLETE
    assert job.family == "course"
    download = tina.get(f"/reports/jobs/{job.id}/download")
    assert download.status_code == 200
    assert download.data == file_bytes(world, job.id)
    assert download.data[:2] == b"PK"  # a .docx is a zip


# ---------------------------------------------------------------- classic quizzes


def test_student_analysis_all_attempts_completes(world: World) -> None:
    tina = teacher(world)
    started = tina.post(
        f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis", "all_versions": "1"}
    )
    assert started.status_code == 303, started.text
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.COMPLETE
    assert job.parameters == {"includes_all_versions": True}
    assert "Cell Biology Midterm" in job.title
    download = tina.get(f"/reports/jobs/{job.id}/download")
    assert download.data == file_bytes(world, job.id)
    assert b"attempt" in download.data.splitlines()[0]


def test_current_report_is_reused_not_regenerated(world: World) -> None:
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    world.run_until_settled()
    again = tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    assert "reused=1" in again.headers["Location"]
    [job] = world.jobs()  # no second row: the same Canvas report
    assert job.status == JobStatus.COMPLETE


def test_409_shows_the_running_report(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "quiz_report", "stick")
    # Someone else asks Canvas first; it is still being generated.
    other = api_as(world.live, TINA).post(
        f"/api/v1/courses/{BIO}/quizzes/{MIDTERM}/reports",
        json={"quiz_report": {"report_type": "item_analysis"}},
    )
    assert other.status_code == 200, other.text
    world.advance(1)
    tina = teacher(world)
    answer = tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    assert answer.status_code == 303, answer.text
    world.sweep()  # the worker's POST meets Canvas's 409 and follows the running report
    [job] = world.jobs()
    assert job.canvas_report_id == other.json()["id"]
    assert job.status == JobStatus.QUEUED
    world.advance(3)
    world.sweep()
    assert world.job(job.id).status == JobStatus.RUNNING
    # A second start now shows that job instead of recording another.
    again = tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    assert "reused=1" in again.headers["Location"]
    assert "already had this report" in tina.get(again.headers["Location"]).text
    assert len(world.jobs()) == 1


def test_generated_quiz_report_can_be_removed(world: World) -> None:
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis"})
    world.run_until_settled()
    [job] = world.jobs()
    removed = tina.post(f"/reports/jobs/{job.id}/delete", headers=JSON)
    assert removed.status_code == 200, removed.text
    assert removed.json["status"] == "deleted"
    canvas = api_as(world.live, TINA).get(
        f"/api/v1/courses/{BIO}/quizzes/{MIDTERM}/reports/{job.canvas_report_id}"
    )
    assert "file" not in canvas.json()


def test_running_quiz_report_cannot_be_aborted(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "quiz_report", "stick")
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis"})
    world.advance(3)
    world.sweep()
    [job] = world.jobs()
    assert job.canvas_state == "running"
    refused = tina.post(f"/reports/jobs/{job.id}/abort", headers=JSON)
    assert refused.status_code == 409  # Canvas: 422 "can not be aborted" while running


def test_failed_quiz_report_is_reported_and_retried(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "quiz_report", "fail")
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis"})
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert job.error
    assert tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE


def test_failed_quiz_report_is_removed_in_canvas_by_delete(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "quiz_report", "fail")
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "student_analysis"})
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert tina.api(f"/api/jobs/{job.id}").json["can_abort"] is False
    removed = tina.post(f"/reports/jobs/{job.id}/delete", headers=JSON)
    assert removed.status_code == 200, removed.text
    canvas = api_as(world.live, TINA).get(
        f"/api/v1/courses/{BIO}/quizzes/{MIDTERM}/reports/{job.canvas_report_id}"
    )
    assert canvas.json().get("progress_url") is None  # Canvas dropped the failed generation


# ---------------------------------------------------------------- New Quizzes


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_new_quiz_report_completes_in_either_format(world: World, fmt: str) -> None:
    tina = teacher(world)
    started = tina.post(
        f"/reports/new_quiz/{GENETICS}", {"report_type": "item_analysis", "format": fmt}
    )
    assert started.status_code == 303, started.text
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.COMPLETE
    assert job.file_name
    assert job.file_name.endswith(f".{fmt}")
    download = tina.get(f"/reports/jobs/{job.id}/download")
    assert download.data == file_bytes(world, job.id)


def test_new_quiz_409_shows_our_running_job(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    form = {"report_type": "student_analysis", "format": "csv"}
    tina.post(f"/reports/new_quiz/{GENETICS}", form)
    again = tina.post(f"/reports/new_quiz/{GENETICS}", form)
    assert "reused=1" in again.headers["Location"]
    assert len(world.jobs()) == 1


def test_stuck_progress_goes_stale_and_retry_recovers(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    tina.post(f"/reports/new_quiz/{GENETICS}", {"report_type": "student_analysis", "format": "csv"})
    [job] = world.jobs()
    # Nobody watches: the worker alone polls, with growing gaps, until it gives up.
    polls = 0
    deadline = world.now() + world.policy.stale_after_progress + timedelta(minutes=15)
    while world.now() < deadline and world.job(job.id).status != JobStatus.STALE:
        world.advance(15)
        polls += len(world.sweep().polled)
    job = world.job(job.id)
    assert job.status == JobStatus.STALE
    assert 5 < polls < 25
    api_row = tina.api(f"/api/jobs/{job.id}").json
    assert api_row["can_retry"] is True
    retried = tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON)
    assert retried.status_code == 200, retried.text
    world.run_until_settled()
    job = world.job(job.id)
    assert job.status == JobStatus.COMPLETE
    assert job.retries == 1
    assert [e.to_status for e in job.events].count("stale") == 1


def test_new_quiz_failure_carries_canvas_message(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "fail")
    tina = teacher(world)
    tina.post(f"/reports/new_quiz/{GENETICS}", {"report_type": "item_analysis", "format": "json"})
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert job.error
    assert job.error.startswith("Unexpected error")


def test_new_quiz_abort_cancels_the_progress(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    tina.post(f"/reports/new_quiz/{GENETICS}", {"report_type": "item_analysis", "format": "csv"})
    [job] = world.jobs()
    aborted = tina.post(f"/reports/jobs/{job.id}/abort", headers=JSON)
    assert aborted.status_code == 200, aborted.text
    assert aborted.json["status"] == "aborted"
    progress = world.live.emulator.store.progresses[job.canvas_progress_id]
    assert progress.workflow_state == "failed"  # Canvas's cancel marks it failed


def test_quiz_landing_picker_lists_the_course_quizzes(world: World) -> None:
    tina = world.launch(
        TINA,
        roles=TEACHER_ROLES,
        canvas_roles=["TeacherEnrollment"],
        course_id=BIO,
        placement="quiz_menu",
    )
    picker = tina.get("/quiz")
    assert picker.status_code == 200, picker.text
    assert f"/reports/quiz/{MIDTERM}?lt=" in picker.text
    assert f"/reports/new_quiz/{GENETICS}?lt=" in picker.text


def test_quiz_landing_links_the_launched_quiz(world: World) -> None:
    tina = world.launch(
        TINA,
        roles=TEACHER_ROLES,
        canvas_roles=["TeacherEnrollment"],
        course_id=BIO,
        quiz_id=MIDTERM,
        placement="quiz_menu",
    )
    page = tina.get("/quiz")  # the launched quiz itself, in one step
    assert page.status_code == 200, page.text
    assert "<h1>Cell Biology Midterm</h1>" in page.text
    assert "Include all attempts" in page.text


def test_queued_quiz_report_is_aborted(world: World) -> None:
    tina = teacher(world)
    tina.post(f"/reports/quiz/{MIDTERM}", {"report_type": "item_analysis"})
    [job] = world.jobs()
    assert job.canvas_state == "queued"  # the clock has not moved: Canvas has not started it
    aborted = tina.post(f"/reports/jobs/{job.id}/abort", headers=JSON)
    assert aborted.status_code == 200, aborted.text
    assert aborted.json["status"] == "aborted"
    canvas = api_as(world.live, TINA).get(
        f"/api/v1/courses/{BIO}/quizzes/{MIDTERM}/reports/{job.canvas_report_id}"
    )
    assert canvas.json().get("progress_url") is None
    assert "file" not in canvas.json()


def test_survey_offers_no_item_analysis(world: World) -> None:
    survey = teacher(world).get("/reports/quiz/205")
    assert survey.status_code == 200, survey.text
    assert "Generate Student Analysis" in survey.text
    assert "Generate Item Analysis" not in survey.text
    graded = teacher(world).get(f"/reports/quiz/{MIDTERM}")
    assert "Generate Item Analysis" in graded.text
