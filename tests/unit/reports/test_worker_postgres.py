"""Claiming due jobs on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` never blocks a second worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import Base, Database
from app.models.job import Job
from app.models.platform import Platform
from app.reports import worker
from app.reports.polling import PollPolicy

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[Database]:
    database = Database(fresh_postgres_url)
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        platform = Platform(
            issuer="https://canvas.test",
            client_id="1",
            auth_login_url="x",
            auth_token_url="x",
            key_set_url="x",
            canvas_url="https://canvas.test",
            api_client_id="2",
            api_client_secret_encrypted=b"x",
        )
        session.add(platform)
        session.flush()
        for _ in range(3):
            session.add(
                Job(
                    platform_id=platform.id,
                    canvas_user_id=1,
                    family="account",
                    report_type="last_user_access_csv",
                    status="running",
                    next_poll_at=T0,
                    events=[],
                )
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
