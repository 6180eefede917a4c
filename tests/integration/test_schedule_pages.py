"""Schedule pages through the tool against a live emulator: the form's errors in place,
owners act, admins see their accounts' schedules as Canvas lets them (docs/schedules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.factory import canvas_client_for_user
from app.models import AuditEvent, CanvasToken, Job, Schedule, ScheduleRun
from app.reports.schedules import runner
from app.reports.schedules.starter import make_starter, make_term_finder
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, Actor, World, build_world
from tests.security.conftest import make_tool

REPORT = "students_with_no_submissions_csv"  # dates, a term, a course: every field kind


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tool: Flask = make_tool(Path(tmp_path_factory.mktemp("sched")), rate_limits_enabled=False)
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        built = build_world(tool, live)
        yield built
        live.emulator.store.clock.unfreeze()
    tool.extensions["db"].engine.dispose()


def _sub_admin(world: World) -> Actor:
    return world.launch(2, roles=ADMIN_ROLES, account_id=2, name="Sam Subadmin")


GOOD = {
    "cadence": "weekly", "time": "06:30", "weekday": "1", "time_zone": "America/Chicago",
    "r_start_at": "days_ago", "n_start_at": "7", "r_end_at": "today",
    "r_enrollment_term_id": "current_term",
}  # fmt: skip


def _schedules(world: World) -> list[Schedule]:
    with world.db.session() as session:
        return list(session.scalars(select(Schedule).order_by(Schedule.id)))


def test_the_form_defaults_to_the_accounts_time_zone(world: World) -> None:
    page = _sub_admin(world).get(f"/schedules/new/{REPORT}")
    assert page.status_code == 200
    assert 'id="time_zone" name="time_zone" list="zones" value="Etc/UTC"' in page.text


def test_bad_input_is_shown_in_place_and_nothing_is_scheduled(world: World) -> None:
    bad = {**GOOD, "cadence": "cron", "cron": "99 * * * *", "r_start_at": "today",
           "r_end_at": "days_ago", "n_end_at": "3"}  # fmt: skip
    response = _sub_admin(world).post(f"/schedules/new/{REPORT}", bad)
    assert response.status_code == 400
    page = response.text
    assert "“99 * * * *” is not a cron expression" in page
    assert 'value="99 * * * *"' in page  # the input stays
    assert "The end date would fall before the start date on some runs." in page
    assert _schedules(world) == []
    zone = _sub_admin(world).post(f"/schedules/new/{REPORT}", {**GOOD, "time_zone": "Nowhere"})
    assert zone.status_code == 400
    assert "Nowhere is not a time zone" in zone.text
    assert _schedules(world) == []


def test_a_schedule_is_created_listed_and_shown(world: World) -> None:
    sam = _sub_admin(world)
    created = sam.post(f"/schedules/new/{REPORT}", GOOD)
    assert created.status_code == 303
    [schedule] = _schedules(world)
    assert (schedule.cron, schedule.time_zone, schedule.status) == (
        "30 6 * * 1", "America/Chicago", "active")
    assert schedule.parameters == {"start_at": "@days_ago:7", "end_at": "@today",
                                   "enrollment_term_id": "@current_term"}  # fmt: skip
    assert schedule.next_run_at is not None
    assert schedule.next_run_at.weekday() == 0
    listing = sam.get("/schedules")
    assert f'data-schedule-id="{schedule.id}"' in listing.text
    shown = sam.get(f"/schedules/{schedule.id}")
    assert shown.status_code == 200
    assert "No run yet." in shown.text
    with world.db.session() as session:
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "schedule"))
        assert any(d.startswith(f"schedule #{schedule.id}: {REPORT}") for d in details)


def test_admins_see_schedules_of_accounts_canvas_lets_them_read(world: World) -> None:
    [schedule] = _schedules(world)
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)  # account 2 is a sub-account
    assert f'data-schedule-id="{schedule.id}"' in root.get("/schedules").text
    assert root.get(f"/schedules/{schedule.id}").status_code == 200
    # ...but only the owner may change it.
    refused = root.post(f"/schedules/{schedule.id}/pause")
    assert refused.status_code == 403
    assert "Only the person who created this schedule can change it." in refused.text
    teacher = world.launch(3, roles=ADMIN_ROLES, account_id=2)  # Canvas: not an admin
    assert f'data-schedule-id="{schedule.id}"' not in teacher.get("/schedules").text
    assert teacher.get(f"/schedules/{schedule.id}").status_code == 403


def test_the_owner_pauses_resumes_edits_and_deletes(world: World) -> None:
    sam = _sub_admin(world)
    [schedule] = _schedules(world)
    assert sam.post(f"/schedules/{schedule.id}/pause").status_code == 303
    assert _schedules(world)[0].status == "paused"
    assert "Paused by its owner." in sam.get(f"/schedules/{schedule.id}").text
    assert sam.post(f"/schedules/{schedule.id}/resume").status_code == 303
    assert _schedules(world)[0].status == "active"
    edit = sam.get(f"/schedules/{schedule.id}/edit")
    assert 'value="06:30"' in edit.text
    daily = {**GOOD, "cadence": "daily", "time": "07:00"}
    saved = sam.post(f"/schedules/{schedule.id}/edit", daily)
    assert saved.status_code == 303
    assert _schedules(world)[0].cron == "0 7 * * *"
    unconfirmed = sam.post(f"/schedules/{schedule.id}/delete")
    assert unconfirmed.status_code == 400
    assert len(_schedules(world)) == 1
    assert sam.post(f"/schedules/{schedule.id}/delete", {"confirm": "yes"}).status_code == 303
    assert _schedules(world) == []


def _tick(world: World) -> None:
    def client_for(session: Session, platform_id: int, user_id: int) -> CanvasClient:
        return canvas_client_for_user(session, platform_id, user_id, world.options())

    with world.app.app_context(), world.db.session() as session:
        runner.tick(session, world.now(), make_starter(client_for),
                    make_term_finder(client_for, session))  # fmt: skip


def test_runs_start_as_the_owner_and_each_shows_what_changed(world: World) -> None:
    sam = _sub_admin(world)
    daily = {"cadence": "daily", "time": "06:00", "time_zone": "UTC"}
    assert sam.post("/schedules/new/last_user_access_csv", daily).status_code == 303
    schedule = _schedules(world)[-1]
    assert schedule.next_run_at is not None
    for day in range(2):
        world.live.emulator.store.clock.freeze(schedule.next_run_at + timedelta(days=day))
        if day == 1:  # Canvas's data moves between the two runs
            store = world.live.emulator.store
            with store.lock:
                for user in list(store.users.values()):
                    store.users[user.id] = replace(
                        user, last_request_at=world.now() - timedelta(hours=1)
                    )
        world.authorize(2)  # a fresh token for the owner (the emulator's expire in an hour)
        _tick(world)
        world.run_until_settled(step=2.0)
    with world.db.session() as session:
        runs = session.scalars(
            select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id)
            .order_by(ScheduleRun.slot_at)
        ).all()  # fmt: skip
        jobs = [session.get(Job, run.job_id) for run in runs]
    assert [(run.outcome, run.detail) for run in runs] == [("started", ""), ("started", "")]
    assert all(job is not None and job.status == "complete" for job in jobs)
    assert all(job is not None and job.canvas_user_id == 2 for job in jobs)  # as the owner
    sam = _sub_admin(world)  # a new launch: a day has passed
    page = sam.get(f"/schedules/{schedule.id}").text
    new, old = jobs[1], jobs[0]
    assert new is not None
    assert old is not None
    assert f"/reports/jobs/{new.id}/diff/{old.id}?" in page
    diff = sam.get(f"/reports/jobs/{new.id}/diff/{old.id}")
    assert diff.status_code == 200
    assert '<dd data-count="unchanged">0</dd>' in diff.text  # every user's access moved
    assert '<dd data-count="changed">0</dd>' not in diff.text


def test_a_revoked_owner_pauses_and_resumes_on_authorization(world: World) -> None:
    schedule = _schedules(world)[-1]
    with world.db.session() as session:
        session.execute(delete(CanvasToken).where(CanvasToken.canvas_user_id == 2))
        session.commit()
    assert schedule.next_run_at is not None
    world.live.emulator.store.clock.freeze(schedule.next_run_at + timedelta(days=3))
    _tick(world)
    paused = _schedules(world)[-1]
    assert (paused.status, paused.paused_code) == ("paused", "authorization")
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)  # an admin sees why
    page = root.get(f"/schedules/{schedule.id}").text
    assert "authorization is missing or was revoked" in page
    with world.app.app_context(), world.db.session() as session:
        world.authorize(2)
        runner.resume_authorized(session, world.platform_id, 2, world.now())
        session.commit()
    assert _schedules(world)[-1].status == "active"
