"""Two workers claim the same due jobs at the same instant on a real PostgreSQL: each job goes
to exactly one of them, every round.

Each claimer is a thread with its own session (its own pooled connection, opened before the
race); a barrier releases them together into ``claim_due(session, now, policy, limit)``, the
worker's public entry point. Without the conditional lease UPDATE and ``FOR UPDATE SKIP
LOCKED``, both read the same due rows before either commits and both claim them: this test
then fails within a few rounds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.db import Base, Database
from app.models.job import Job
from app.reports import worker
from app.reports.polling import PollPolicy
from tests.support import factories

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
JOBS = 8
ROUNDS = 50
CLAIMERS = 2
POLICY = PollPolicy()


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[Database]:
    database = Database(fresh_postgres_url)
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        platform = factories.platform()
        session.add(platform)
        session.flush()
        for number in range(JOBS):
            session.add(
                factories.job(
                    platform_id=platform.id,
                    canvas_user_id=1 + number % 3,
                    status="running" if number % 2 else "queued",
                    next_poll_at=T0,
                )
            )
    yield database
    database.engine.dispose()


def test_each_due_job_is_claimed_by_exactly_one_worker_every_round(pg: Database) -> None:
    with pg.session() as session:
        job_ids = set(session.scalars(select(Job.id)))
    assert len(job_ids) == JOBS
    sessions = [pg.sessions() for _ in range(CLAIMERS)]
    for session in sessions:  # open each claimer's connection before the first race
        session.execute(text("SELECT 1"))
        session.commit()
    barrier = threading.Barrier(CLAIMERS, timeout=30)

    def claim(session: Session, now: datetime) -> list[int]:
        barrier.wait()
        return worker.claim_due(session, now, POLICY, JOBS)

    problems: list[str] = []
    try:
        with ThreadPoolExecutor(CLAIMERS) as pool:
            for number in range(ROUNDS):
                now = T0 + timedelta(hours=number)
                with pg.session() as session:  # every job due again (the last lease is over)
                    session.execute(update(Job).values(next_poll_at=now - timedelta(seconds=1)))
                futures = [pool.submit(claim, session, now) for session in sessions]
                claims = [future.result(timeout=60) for future in futures]
                everything = [job_id for claim_ids in claims for job_id in claim_ids]
                if sorted(everything) != sorted(job_ids):
                    twice = sorted({j for j in everything if everything.count(j) > 1})
                    missing = sorted(job_ids - set(everything))
                    problems.append(f"round {number}: {claims} (twice {twice}, none {missing})")
    finally:
        for session in sessions:
            session.close()
    assert not problems, f"{len(problems)} of {ROUNDS} rounds went wrong:\n" + "\n".join(
        problems[:10]
    )
    # Every job ended up leased from the last round's clock.
    last = T0 + timedelta(hours=ROUNDS - 1)
    with pg.session() as session:
        leases = set(session.scalars(select(Job.next_poll_at)))
    assert leases == {last + POLICY.lease}
