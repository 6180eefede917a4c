"""Claiming due jobs on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` never blocks a second worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import Base, Database
from app.models.job import Job
from app.reports import worker
from app.reports.polling import PollPolicy
from tests.support import factories

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[Database]:
    database = Database(fresh_postgres_url)
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        platform = factories.platform()
        session.add(platform)
        session.flush()
        for _ in range(3):
            session.add(
                factories.job(platform_id=platform.id, status="running", next_poll_at=T0)
            )
    yield database
    database.engine.dispose()


def test_locked_rows_are_skipped_not_waited_for(pg: Database) -> None:
    holder = pg.sessions()
    locked_id = holder.scalars(select(Job.id).order_by(Job.id).limit(1).with_for_update()).one()
    try:
        with pg.session() as session:
            claimed = worker.claim_due(session, T0, PollPolicy())
        assert locked_id not in claimed
        assert len(claimed) == 2
    finally:
        holder.rollback()
        holder.close()
    with pg.session() as session:
        assert worker.claim_due(session, T0, PollPolicy()) == [locked_id]
        assert worker.claim_due(session, T0 + timedelta(seconds=1), PollPolicy()) == []
