"""Infrastructure failing under the worker: PostgreSQL restarting mid-poll, a worker killed -9.

The database test runs the worker's sweep in a thread with the emulator's clock; the kill
test runs the real worker (``flask --app app worker``) as a child process in real time, so
it waits with bounded polling, never fixed sleeps.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.config import Settings
from app.db import Base, Database
from app.models.job import Job
from app.models.platform import Platform
from app.reports.polling import DEFAULT_POLICY
from app.reports.status import JobStatus
from emulator import faults
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.integration.oauth_harness import CanvasWorld
from tests.integration.reports_harness import RequestCounter
from tests.reliability.conftest import (
    ADA,
    REPORT_SECONDS,
    ReliableWorld,
    assert_intact,
    build_reliable_world,
)
from tests.support.live import LiveTool, LiveWorker, register_tool
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer

T = TypeVar("T")
REPORT_GET = r"^/api/v1/accounts/1/reports/last_user_access_csv/\d+$"


def wait_until(what: str, probe: Callable[[], T | None], seconds: float = 30.0) -> T:
    """Poll ``probe`` until it returns something truthy (another process moves things)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)  # waiting on another process or thread, which has no clock to pass
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def pg_app(settings: Settings, fresh_postgres_url: str) -> Iterator[Flask]:
    app = create_app(settings.with_overrides(database_url=fresh_postgres_url))
    app.config["TESTING"] = True
    db: Database = app.extensions["db"]
    Base.metadata.create_all(db.engine)
    yield app
    db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_restarting_mid_poll_loses_nothing(
    pg_app: Flask, emulator: LiveEmulator, postgres_server: PostgresServer
) -> None:
    world = build_reliable_world(pg_app, emulator)
    try:
        world.connect(ADA)
        ada = world.admin()
        ada.post("/reports/account/last_user_access_csv")
        [job] = world.jobs()
        # Hold the worker inside its Canvas call (the job is claimed, the poll not written).
        hold = faults.add_route_fault(emulator.emulator, "latency", REPORT_GET, delay=30)
        world.advance(REPORT_SECONDS / 2)
        claimed_at = world.now()
        outcome: list[BaseException | None] = []

        def poll() -> None:
            try:
                world.sweep()
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        poller = threading.Thread(target=poll)
        poller.start()
        wait_until("the worker to reach Canvas", lambda: hold.hits)
        postgres_server.restart()  # every pooled connection dies
        faults.clear(emulator.emulator)  # Canvas answers now
        poller.join(timeout=30)
        assert not poller.is_alive()
        [error] = outcome
        assert isinstance(error, DBAPIError)  # the poll's write was lost, and said so
        lost = world.job(job.id)
        assert lost.status == JobStatus.QUEUED  # as before the poll: nothing half-written
        assert lost.polls == 0
        assert lost.next_poll_at == claimed_at + DEFAULT_POLICY.lease  # still claimed
        # Before the lease ends nobody polls it; after, the next sweep recovers.
        world.advance(10)
        assert world.sweep().polled == []
        world.advance(DEFAULT_POLICY.lease.total_seconds())
        assert world.sweep().polled == [job.id]
        world.settle()
        done = world.job(job.id)
        assert_intact(done, status=JobStatus.COMPLETE, report_id=job.canvas_report_id)
        assert len(world.canvas_account_reports()) == 1
    finally:
        emulator.emulator.store.clock.unfreeze()


@pytest.fixture
def real_time_emulator() -> Iterator[LiveEmulator]:
    """Reports take 3 s of real time: the worker process runs on the wall clock."""
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=3.0)) as live:
        yield live


def _world_for(tool: LiveTool, live: LiveEmulator) -> ReliableWorld:
    """The harness around a live tool registered through its CLI (real time, no frozen clock)."""
    registration = register_tool(tool, live.url)
    db: Database = tool.app.extensions["db"]
    with db.session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
    counter = RequestCounter(live.app.wsgi_app)
    live.app.wsgi_app = counter  # type: ignore[method-assign]
    return ReliableWorld(
        app=tool.app,
        live=live,
        platform_id=platform_id,
        canvas=counter,
        oauth_world=CanvasWorld(tool.app, live, platform_id, registration),
    )


def _finished(db: Database, job_id: int) -> Job | None:
    row = _job(db, job_id)
    return row if row.status == JobStatus.COMPLETE else None


def _job(db: Database, job_id: int) -> Job:
    with db.session() as session:
        row = session.get(Job, job_id)
        assert row is not None
        _ = list(row.events)
        return row


@pytest.fixture(params=["sqlite", "postgres+redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """The demo's stores (SQLite, Huey on SQLite) or production's (PostgreSQL, Huey on Redis)."""
    if request.param == "sqlite":
        return {}
    request.applymarker(pytest.mark.postgres)
    return {
        "database_url": request.getfixturevalue("fresh_postgres_url"),
        "redis_url": request.getfixturevalue("fresh_redis_url"),
    }


@pytest.mark.slow
def test_a_worker_killed_mid_poll_is_replaced_and_the_job_completes(
    tmp_path: Path, real_time_emulator: LiveEmulator, backend: dict[str, str]
) -> None:
    live = real_time_emulator
    with LiveTool(tmp_path, huey_immediate=False, **backend) as tool:
        world = _world_for(tool, live)
        world.connect(ADA)
        ada = world.admin()
        assert ada.post("/reports/account/last_user_access_csv").status_code == 303
        [job] = world.jobs()
        db: Database = tool.app.extensions["db"]
        hold = faults.add_route_fault(live.emulator, "latency", REPORT_GET, delay=60)
        first = LiveWorker(tool, threads=1).start()
        try:
            wait_until("the first worker to poll Canvas", lambda: hold.hits)
            assert first.process is not None
            first.process.send_signal(signal.SIGKILL)  # mid-poll: claimed, nothing written
            first.process.wait(timeout=10)
        finally:
            first.stop()
        faults.clear(live.emulator)
        orphan = _job(db, job.id)  # the first worker started it in Canvas, then hung polling
        assert orphan.status == JobStatus.QUEUED
        assert orphan.canvas_report_id is not None
        assert orphan.polls == 0
        assert orphan.next_poll_at is not None
        # The dead worker's lease (two minutes of wall clock) runs out: the stand-in for
        # waiting is to move the lease's end to now, exactly what time passing does to the
        # ``next_poll_at <= now`` claim test.
        with db.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(next_poll_at=orphan.next_poll_at - DEFAULT_POLICY.lease)
            )
        with LiveWorker(tool, threads=1) as second:
            done = wait_until(
                "the second worker to finish the job",
                lambda: _finished(db, job.id),
                seconds=60,
            )
            assert second.process is not None
            assert second.process.poll() is None  # still running, not crashed
        assert_intact(done, status=JobStatus.COMPLETE, report_id=orphan.canvas_report_id)
        assert done.polls >= 1
        reports = live.emulator.store.account_reports
        assert list(reports) == [orphan.canvas_report_id]  # no duplicate Canvas report


@pytest.mark.slow
@pytest.mark.postgres
def test_a_redis_restart_loses_the_schedule_but_not_the_job(
    tmp_path: Path, fresh_postgres_url: str, fresh_redis_url: str, redis_server: RedisServer
) -> None:
    """Redis holds only Huey's queue and schedule (no persistence here): when it restarts,
    the scheduled next poll is gone; the worker's periodic sweep (every minute) finds the
    due job in the database and finishes it."""
    with (
        LiveEmulator(EmulatorSettings(size="small", report_seconds=8.0)) as live,
        LiveTool(
            tmp_path,
            huey_immediate=False,
            database_url=fresh_postgres_url,
            redis_url=fresh_redis_url,
        ) as tool,
    ):
        world = _world_for(tool, live)
        world.connect(ADA)
        ada = world.admin()
        db: Database = tool.app.extensions["db"]
        with LiveWorker(tool, threads=1) as worker:
            assert ada.post("/reports/account/last_user_access_csv").status_code == 303
            [job] = world.jobs()
            wait_until("the first poll", lambda: _job(db, job.id).polls >= 1)
            redis_server.restart()  # the next poll's schedule is lost with Redis's memory
            assert _job(db, job.id).status in {JobStatus.QUEUED, JobStatus.RUNNING}
            done = wait_until(
                "the periodic sweep to finish the job", lambda: _finished(db, job.id), seconds=90
            )
            assert worker.process is not None
            assert worker.process.poll() is None, worker.log()[-3000:]
        assert done.canvas_report_id is not None  # the worker started it in Canvas
        assert_intact(done, status=JobStatus.COMPLETE, report_id=done.canvas_report_id)
        assert list(live.emulator.store.account_reports) == [done.canvas_report_id]
