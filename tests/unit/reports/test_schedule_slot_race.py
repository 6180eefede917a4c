"""Two workers tick the same due schedules at the same instant on a real PostgreSQL: every
slot runs exactly once, every round.

Each ticker is a thread with its own session; a barrier releases them together into
``runner.tick``, the periodic task's entry point. Without the unique (schedule, slot) rule
both would read the schedules as due before either commits and both would start a run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db import Base, Database
from app.models import CanvasToken, Job, Schedule, ScheduleRun
from app.reports.schedules import runner
from tests.support import factories

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCHEDULES = 6
ROUNDS = 12
TICKERS = 2


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[Database]:
    database = Database(fresh_postgres_url)
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        platform = factories.platform()
        session.add(platform)
        session.flush()
        for owner in range(SCHEDULES):
            session.add(CanvasToken(platform_id=platform.id, canvas_user_id=100 + owner,
                                    access_token_encrypted=b"x"))  # fmt: skip
            session.add(Schedule(
                platform_id=platform.id, owner_user_id=100 + owner, family="account",
                report_type="last_user_access_csv", canvas_account_id=1, parameters={},
                cadence="cron", cron="0 * * * *", time_zone="UTC", status="active",
                next_run_at=T0,
            ))  # fmt: skip
    yield database
    database.engine.dispose()


def start(session: Session, schedule: Schedule, parameters: dict[str, object],
          now: datetime) -> Sequence[Job]:  # fmt: skip
    job = factories.job(platform_id=schedule.platform_id, canvas_user_id=schedule.owner_user_id,
                        status="starting", parameters=parameters, created_at=now)  # fmt: skip
    session.add(job)
    session.flush()
    return [job]


def no_term(_schedule: Schedule, _day: datetime) -> int | None:
    return None


def test_each_slot_runs_once_whichever_worker_ticks(pg: Database) -> None:
    sessions = [pg.sessions() for _ in range(TICKERS)]
    for session in sessions:
        session.execute(text("SELECT 1"))
        session.commit()
    barrier = threading.Barrier(TICKERS, timeout=30)

    def tick(session: Session, now: datetime) -> list[int]:
        barrier.wait()
        return runner.tick(session, now, start, no_term).started

    with ThreadPoolExecutor(TICKERS) as pool:
        for number in range(ROUNDS):
            now = T0 + timedelta(hours=number, seconds=5)
            futures = [pool.submit(tick, session, now) for session in sessions]
            started = [sid for future in futures for sid in future.result(timeout=60)]
            assert sorted(started) == sorted(set(started)), (number, started)
            for session in sessions:
                session.rollback()
    for session in sessions:
        session.close()
    with pg.session() as session:
        runs = session.execute(
            select(ScheduleRun.schedule_id, func.count()).group_by(ScheduleRun.schedule_id)
        ).all()
        assert len(runs) == SCHEDULES
        assert {count for _sid, count in runs} == {ROUNDS}  # one run per slot, every round
        assert session.scalar(select(func.count()).select_from(Job)) == SCHEDULES * ROUNDS
