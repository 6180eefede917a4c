"""Retrying a report stuck in Canvas stops the stuck run where Canvas allows and starts a new
one through the same create path, so a retry never re-attaches to it (issue 13, point 4).

Same setup as ``test_reports_starts.py``: the worker's schedule is off and each test sweeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.reports import worker
from app.reports.status import JobStatus
from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import World, world_for
from tests.integration.test_reports_starts import JSON, admin, teacher


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(worker, "schedule_polls", lambda *_args: None)
    yield from world_for(app, emulator)


def go_stale(world: World, job_id: int) -> None:
    """Poll every 5 minutes until the stuck run's job goes stale (within 2 hours)."""
    for _ in range(24):
        world.sweep()
        if world.job(job_id).status == JobStatus.STALE:
            return
        world.advance(5 * 60)
    raise AssertionError(f"job {job_id} never went stale: {world.job(job_id).status}")


def test_retrying_a_stuck_account_report_aborts_it_and_starts_a_new_one(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "account_report", "stick")
    ada = admin(world)
    ada.get("/reports/account")
    ada.post("/reports/account/last_user_access_csv")
    world.sweep()
    [job] = world.jobs()
    stuck = job.canvas_report_id
    assert stuck is not None
    go_stale(world, job.id)
    retried = ada.post(f"/reports/jobs/{job.id}/retry", headers=JSON)
    assert retried.status_code == 200
    assert retried.json["status"] == "starting"
    world.sweep()
    store = world.live.emulator.store
    assert store.account_reports[stuck].workflow_state == "aborted"
    fresh = world.job(job.id).canvas_report_id
    assert fresh is not None
    assert fresh != stuck
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert world.job(job.id).canvas_report_id == fresh


def test_retrying_a_stuck_new_quiz_report_cancels_its_progress(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    tina.post("/reports/new_quiz/301", {"report_type": "item_analysis", "format": "csv"})
    world.sweep()
    [job] = world.jobs()
    stuck = job.canvas_progress_id
    assert stuck is not None
    go_stale(world, job.id)
    assert tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.sweep()
    store = world.live.emulator.store
    assert store.progresses[stuck].workflow_state == "failed"  # Canvas's cancel
    fresh = world.job(job.id).canvas_progress_id
    assert fresh is not None
    assert fresh != stuck
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE


def test_retrying_a_stuck_course_report_starts_a_new_one(world: World) -> None:
    faults.add_report_fault(world.live.emulator, "course_report", "stick")
    tina = teacher(world)
    tina.post("/reports/course/course_pace_docx")
    world.sweep()
    [job] = world.jobs()
    stuck = job.canvas_report_id
    go_stale(world, job.id)
    assert tina.post(f"/reports/jobs/{job.id}/retry", headers=JSON).status_code == 200
    world.sweep()
    fresh = world.job(job.id).canvas_report_id
    assert fresh is not None
    assert fresh != stuck
    assert "Canvas cannot stop a course report" in world.job(job.id).events[-2].detail
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
