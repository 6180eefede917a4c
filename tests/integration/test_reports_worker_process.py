"""The real Huey consumer (SQLite storage, scheduler thread) advances a job on its own.

Everything else drives the worker with a passed clock; this test alone runs the actual
consumer in real time, because what it checks is the scheduling itself: a start commits,
schedules a poll at ``next_poll_at``, and the consumer's poll completes the job with no
viewer and no test code calling the worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.config import Settings
from app.db import Base, Database
from app.reports.status import JobStatus
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def queued_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings.with_overrides(huey_immediate=False))
    db: Database = app.extensions["db"]
    Base.metadata.create_all(db.engine)
    yield app
    db.engine.dispose()


def wait_for(world: World, job_id: int, status: JobStatus, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if world.job(job_id).status == status:
            return
        time.sleep(0.2)  # waiting on another thread's real-time scheduler, not a clock
    raise AssertionError(f"job stayed {world.job(job_id).status}")


def test_consumer_completes_a_job_nobody_watches(queued_app: Flask, emulator: LiveEmulator) -> None:
    world = build_world(queued_app, emulator)
    emulator.emulator.store.clock.unfreeze()  # real time on both sides here
    huey = queued_app.extensions["huey"]
    consumer = huey.create_consumer(
        workers=1, worker_type="thread", periodic=True, max_delay=0.5, check_worker_health=False
    )
    ada = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
    assert ada.post("/reports/account/last_user_access_csv").status_code == 303
    [job] = world.jobs()
    assert len(huey.pending()) == 1  # the first poll, due at next_poll_at
    consumer.start()
    try:
        wait_for(world, job.id, JobStatus.COMPLETE, seconds=30)
    finally:
        consumer.stop(graceful=True)
    assert world.job(job.id).polls >= 1
