"""Safe starts (issue 13.4): no Canvas call in the request, one job and one Canvas report for
identical concurrent starts, the lost-POST lookup of every family, and stuck retries.

The worker's schedule is switched off (``schedule_polls`` does nothing) so each test runs the
worker by hand with ``world.sweep()`` at the frozen clock; ``world.canvas.count`` counts the
requests Canvas answered.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.canvas.client import CanvasClient
from app.config import Settings
from app.db import Base, Database
from app.reports import pending, worker
from app.reports.families import run
from app.reports.status import JobStatus
from app.web.reports import START_CHECK_SECONDS
from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

JSON = {"Accept": "application/json"}
ACCOUNT_POST = r"^/api/v1/accounts/1/reports/last_user_access_csv$"
ACCOUNT_LIST = ACCOUNT_POST
COURSE_POST = r"^/api/v1/courses/101/reports/course_pace_docx$"
QUIZ_POST = r"^/api/v1/courses/101/quizzes/201/reports$"
NEW_QUIZ_POST = r"^/api/quiz/v1/courses/101/quizzes/301/reports$"
EVERY_API_ROUTE = r"^/api/"
CONCURRENT = 20
NEW_QUIZ_FORM = {"report_type": "item_analysis", "format": "csv"}


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(worker, "schedule_polls", lambda *_args: None)
    yield from world_for(app, emulator)


@pytest.fixture
def pg_world(
    settings: Settings,
    fresh_postgres_url: str,
    emulator: LiveEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """The same tool on a real PostgreSQL (READ COMMITTED: only the unique index stops
    two transactions that both saw no earlier start)."""
    monkeypatch.setattr(worker, "schedule_polls", lambda *_args: None)
    tool = create_app(dataclasses.replace(settings, database_url=fresh_postgres_url))
    tool.config["TESTING"] = True
    db: Database = tool.extensions["db"]
    Base.metadata.create_all(db.engine)
    yield from world_for(tool, emulator)
    db.engine.dispose()


def admin(world: World) -> Actor:
    return world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)


def teacher(world: World, course_id: int = 101) -> Actor:
    return world.launch(
        3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=course_id
    )


def burst(actor: Actor, path: str, form: dict[str, str]) -> list[tuple[int, Any]]:
    """``CONCURRENT`` identical starts released together, each on its own connection."""
    barrier = threading.Barrier(CONCURRENT, timeout=30)

    def one(_number: int) -> tuple[int, Any]:
        client = actor.world.app.test_client()
        barrier.wait()
        answer = client.post(path, data={"lt": actor.token, **form}, headers=JSON)
        return answer.status_code, answer.get_json(silent=True)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return list(pool.map(one, range(CONCURRENT)))


def assert_one_job(answers: list[tuple[int, Any]]) -> int:
    assert {status for status, _ in answers} == {202}, answers[:3]
    ids = {body["jobs"][0]["id"] for _, body in answers}
    assert len(ids) == 1, ids
    assert sorted(body["reused"] for _, body in answers) == [False] + [True] * (CONCURRENT - 1)
    return ids.pop()


# ---------------------------------------------------------------- identical starts


def test_identical_concurrent_account_starts_make_one_job_and_one_canvas_report(
    world: World,
) -> None:
    ada = admin(world)
    assert ada.get("/reports/account").status_code == 200  # the catalogue the form came from
    answers = burst(ada, "/reports/account/last_user_access_csv", {})
    job_id = assert_one_job(answers)
    assert [job.id for job in world.jobs()] == [job_id]
    assert world.live.emulator.store.account_reports == {}  # nothing asked of Canvas yet
    world.sweep()
    assert len(world.live.emulator.store.account_reports) == 1
    world.run_until_settled()
    assert world.job(job_id).status == JobStatus.COMPLETE


@pytest.mark.postgres
def test_identical_concurrent_starts_make_one_job_on_postgresql(pg_world: World) -> None:
    ada = admin(pg_world)
    assert ada.get("/reports/account").status_code == 200
    answers = burst(ada, "/reports/account/last_user_access_csv", {})
    job_id = assert_one_job(answers)
    assert [job.id for job in pg_world.jobs()] == [job_id]
    pg_world.sweep()
    assert len(pg_world.live.emulator.store.account_reports) == 1
    answers = burst(teacher(pg_world), "/reports/new_quiz/301", NEW_QUIZ_FORM)
    quiz_job = assert_one_job(answers)
    assert [job.id for job in pg_world.jobs()] == [job_id, quiz_job]
    pg_world.sweep()
    assert len(pg_world.live.emulator.store.new_quiz_reports) == 1


def test_a_start_that_loses_the_race_gets_the_winner_s_job(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database decides: when the look for an earlier start misses (as two PostgreSQL
    transactions both can), the unique index refuses the second row and its job comes back."""
    tina = teacher(world)
    first = tina.post("/reports/course/course_pace_docx", headers=JSON)
    real_holders = pending._holders  # the one look the race can miss
    looks: list[object] = []

    def holders(*args: Any) -> Any:
        looks.append(args)
        return [] if len(looks) == 1 else real_holders(*args)

    monkeypatch.setattr(pending, "_holders", holders)
    second = tina.post("/reports/course/course_pace_docx", headers=JSON)
    assert second.status_code == 202
    assert second.json["reused"] is True
    assert second.json["jobs"][0]["id"] == first.json["jobs"][0]["id"]
    assert len(world.jobs()) == 1


def test_identical_concurrent_quiz_starts_make_one_job(world: World) -> None:
    answers = burst(teacher(world), "/reports/quiz/201", {"report_type": "student_analysis"})
    job_id = assert_one_job(answers)
    assert [job.id for job in world.jobs()] == [job_id]
    world.run_until_settled()
    assert world.job(job_id).status == JobStatus.COMPLETE
    assert len(world.live.emulator.store.quiz_statistics) == 1


def test_the_same_start_after_the_window_or_with_other_parameters_is_a_new_job(
    world: World,
) -> None:
    tina = teacher(world)
    first = tina.post("/reports/quiz/201", {"report_type": "student_analysis"}, headers=JSON)
    other = tina.post(
        "/reports/quiz/201", {"report_type": "student_analysis", "all_versions": "1"}, headers=JSON
    )
    assert (first.status_code, other.status_code) == (202, 202)
    assert first.json["jobs"][0]["id"] != other.json["jobs"][0]["id"]
    world.run_until_settled()
    again = tina.post("/reports/quiz/201", {"report_type": "student_analysis"}, headers=JSON)
    assert again.json == {"jobs": again.json["jobs"], "reused": True}
    world.advance(121)  # past the start window
    later = tina.post("/reports/quiz/201", {"report_type": "student_analysis"}, headers=JSON)
    assert later.json["reused"] is False
    assert len(world.jobs()) == 3


# ---------------------------------------------------------------- the request never waits


def test_a_start_asks_canvas_nothing_even_when_canvas_hangs(world: World) -> None:
    ada = admin(world)
    ada.get("/reports/account")
    faults.add_route_fault(world.live.emulator, "timeout", EVERY_API_ROUTE, delay=30)
    before = world.canvas.count
    answer = ada.post("/reports/account/last_user_access_csv", headers=JSON)
    assert answer.status_code == 202
    assert answer.json["jobs"][0]["status"] == "starting"
    assert answer.json["jobs"][0]["status_label"] == "Starting"
    assert world.canvas.count == before
    faults.clear(world.live.emulator)


def test_a_start_without_the_cached_catalogue_waits_at_most_the_check_budget(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    budgets: list[float] = []
    real_budget = CanvasClient.budget

    def spy(client: CanvasClient, seconds: float) -> Any:
        budgets.append(seconds)
        return real_budget(client, seconds)

    monkeypatch.setattr(CanvasClient, "budget", spy)
    faults.add_route_fault(world.live.emulator, "timeout", EVERY_API_ROUTE, delay=30)
    answer = admin(world).post("/reports/account/last_user_access_csv")
    faults.clear(world.live.emulator)
    assert answer.status_code == 503  # Canvas did not answer within the budget
    assert budgets == [START_CHECK_SECONDS]  # the one catalogue call, bounded
    assert world.jobs() == []


def test_canvas_refusing_the_worker_fails_the_job_in_plain_words(world: World) -> None:
    # Tina's launch claims a teacher in course 103, where Canvas has no enrollment for her:
    # the request records the start; Canvas's answer to the worker's POST decides.
    tina = teacher(world, course_id=103)
    assert tina.post("/reports/course/course_pace_docx").status_code == 303
    world.sweep()
    [job] = world.jobs()
    assert job.status == JobStatus.FAILED
    assert job.error == run.REFUSED
    assert world.live.emulator.store.course_reports == {}
    assert tina.api(f"/api/jobs/{job.id}").json["error"] == run.REFUSED


def test_canvas_throttling_keeps_the_job_starting_with_backoff(world: World) -> None:
    ada = admin(world)
    ada.get("/reports/account")
    faults.add_route_fault(
        world.live.emulator, "error", ACCOUNT_POST, method="POST", status=503, count=1
    )
    ada.post("/reports/account/last_user_access_csv")
    world.sweep()
    [job] = world.jobs()
    assert job.status == JobStatus.STARTING
    assert job.next_poll_at == world.now() + run.retry_delay(1)
    world.advance(2)
    world.sweep()
    assert world.job(job.id).status == JobStatus.QUEUED
    assert len(world.live.emulator.store.account_reports) == 1


# ---------------------------------------------------------------- lost POSTs, every family


def lose_next_post(world: World, path: str) -> faults.RouteFault:
    return faults.add_route_fault(world.live.emulator, "lost", path, method="POST", count=1)


def test_a_lost_account_post_is_adopted_from_canvas_s_list(world: World) -> None:
    ada = admin(world)
    ada.get("/reports/account")
    lost = lose_next_post(world, ACCOUNT_POST)
    ada.post("/reports/account/last_user_access_csv")
    world.sweep()
    assert lost.hits == 1
    [report_id] = world.live.emulator.store.account_reports
    [job] = world.jobs()
    assert job.canvas_report_id == report_id
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert list(world.live.emulator.store.account_reports) == [report_id]


def test_a_lost_post_found_only_on_the_next_attempt_is_not_posted_again(world: World) -> None:
    ada = admin(world)
    ada.get("/reports/account")
    lose_next_post(world, ACCOUNT_POST)
    # The look right after the lost answer fails too: the job stays starting.
    faults.add_route_fault(world.live.emulator, "error", ACCOUNT_LIST, method="GET", count=1)
    ada.post("/reports/account/last_user_access_csv")
    world.sweep()
    [job] = world.jobs()
    assert job.status == JobStatus.STARTING
    [report_id] = world.live.emulator.store.account_reports
    world.advance(2)
    world.sweep()  # looks first, finds the report, never POSTs again
    assert world.job(job.id).canvas_report_id == report_id
    assert list(world.live.emulator.store.account_reports) == [report_id]


def test_a_lost_course_post_is_adopted_from_canvas_s_last_report(world: World) -> None:
    tina = teacher(world)
    lose_next_post(world, COURSE_POST)
    tina.post("/reports/course/course_pace_docx")
    world.sweep()
    [report_id] = world.live.emulator.store.course_reports
    [job] = world.jobs()
    assert job.canvas_report_id == report_id
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert list(world.live.emulator.store.course_reports) == [report_id]


def test_a_lost_quiz_post_is_adopted_from_the_quiz_s_report_index(world: World) -> None:
    tina = teacher(world)
    lose_next_post(world, QUIZ_POST)
    tina.post("/reports/quiz/201", {"report_type": "item_analysis"})
    world.sweep()
    store = world.live.emulator.store
    [stats_id] = [s.id for s in store.quiz_statistics.values() if s.progress_id is not None]
    [job] = world.jobs()
    assert job.canvas_report_id == stats_id
    world.run_until_settled()
    assert world.job(job.id).status == JobStatus.COMPLETE
    assert [s.id for s in store.quiz_statistics.values() if s.progress_id is not None] == [stats_id]


def test_a_lost_new_quiz_post_never_runs_a_second_report_beside_it(world: World) -> None:
    # Canvas has no index of New Quizzes reports: the lost one cannot be adopted, but while
    # it runs Canvas's 409 holds the start back instead of a second report.
    faults.add_report_fault(world.live.emulator, "new_quiz_report", "stick")
    tina = teacher(world)
    lose_next_post(world, NEW_QUIZ_POST)
    tina.post("/reports/new_quiz/301", {"report_type": "item_analysis", "format": "csv"})
    world.sweep()
    [job] = world.jobs()
    assert job.status == JobStatus.STARTING
    for _ in range(3):
        world.advance(run.MAX_RETRY.total_seconds())
        world.sweep()
    job = world.job(job.id)
    assert job.status == JobStatus.STARTING
    assert job.error == run.BUSY
    assert len(world.live.emulator.store.new_quiz_reports) == 1
    world.advance(run.GIVE_UP_AFTER.total_seconds())
    world.sweep()
    assert world.job(job.id).status == JobStatus.FAILED
    assert world.job(job.id).error == run.GAVE_UP
    assert len(world.live.emulator.store.new_quiz_reports) == 1
