"""Waking a user's jobs that wait for authorization (``app/reports/wake.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.canvas import refresh
from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasAuthorizationRequired
from app.db import Database
from app.models.job import Job
from app.reports import wake, worker
from tests.support import factories
from tests.unit.reports.test_worker import (  # noqa: F401 - fixture
    POLICY,
    T0,
    LowBudgetClient,
    add_job,
    db,
)

TINA, TOM = 3, 4
LATER = T0 + timedelta(minutes=3)


@pytest.fixture(name="jobs_db")
def jobs_db_fixture(request: pytest.FixtureRequest) -> Database:
    """test_worker's ``db`` (platform 1 on a fresh database)."""
    database: Database = request.getfixturevalue("db")
    return database


def _no_token(_session: Session, _platform_id: int, _user_id: int) -> CanvasClient:
    raise CanvasAuthorizationRequired("Connect the tool to your Canvas account.")


def _waiting(jobs_db: Database, *, user: int) -> int:
    """A live job the worker itself parked because its user has no token."""
    job_id = add_job(jobs_db, user=user)
    with jobs_db.session() as session:
        result = worker.poll_jobs(session, [job_id], _no_token, T0, POLICY)
    assert result.unauthorized == [job_id]
    return job_id


class RevokedMidPoll(LowBudgetClient):
    """A client whose token Canvas revoked (the refresh was refused) during the poll."""

    def __init__(self) -> None:
        super().__init__(700.0)

    def get_account_report(self, account_id: int, report_type: str, report_id: int) -> Any:
        raise CanvasAuthorizationRequired(refresh.REVOKED)


def _job(jobs_db: Database, job_id: int) -> Job:
    with jobs_db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def test_the_worker_parks_jobs_with_the_message_wake_looks_for(jobs_db: Database) -> None:
    job = _job(jobs_db, _waiting(jobs_db, user=TINA))
    assert job.error == wake.WAITING_FOR_AUTHORIZATION
    assert job.next_poll_at == T0 + POLICY.max_delay


def test_the_users_waiting_jobs_become_due_now(jobs_db: Database) -> None:
    first, second = _waiting(jobs_db, user=TINA), _waiting(jobs_db, user=TINA)
    with jobs_db.session() as session:
        woken = wake.wake_authorized_user(session, 1, TINA, LATER)
        assert [job.id for job in woken] == [first, second]
    for job_id in (first, second):
        job = _job(jobs_db, job_id)
        assert job.next_poll_at == LATER
        assert job.error is None
        assert job.status == "running"


def test_a_job_whose_token_was_revoked_mid_poll_is_woken_too(jobs_db: Database) -> None:
    job_id = add_job(jobs_db, user=TINA)
    with jobs_db.session() as session:
        polled = worker.poll_jobs(session, [job_id], lambda *_: RevokedMidPoll(), T0, POLICY)
    assert polled.polled == [job_id]
    assert _job(jobs_db, job_id).error == refresh.REVOKED
    with jobs_db.session() as session:
        assert [job.id for job in wake.wake_authorized_user(session, 1, TINA, LATER)] == [job_id]
    assert _job(jobs_db, job_id).next_poll_at == LATER


def test_other_jobs_are_left_alone(jobs_db: Database) -> None:
    toms = _waiting(jobs_db, user=TOM)  # another user of the same platform
    with jobs_db.session() as session:
        session.add(factories.platform(issuer="https://other.test", client_id="9",
                                       canvas_url="https://other.test", api_client_id="8"))
    other_platform = _waiting(jobs_db, user=TINA)
    stale = _waiting(jobs_db, user=TINA)
    failing = add_job(jobs_db, user=TINA)
    with jobs_db.session() as session:
        moved = session.get(Job, other_platform)
        assert moved is not None
        moved.platform_id = 2
        parked = session.get(Job, stale)
        assert parked is not None
        parked.status = "stale"
        other_error = session.get(Job, failing)
        assert other_error is not None
        other_error.error = "Canvas is slow; trying again."
    before = {job_id: _job(jobs_db, job_id) for job_id in (toms, other_platform, stale, failing)}
    with jobs_db.session() as session:
        assert wake.wake_authorized_user(session, 1, TINA, LATER) == []
    for job_id, old in before.items():
        job = _job(jobs_db, job_id)
        assert (job.next_poll_at, job.error, job.status) == (
            old.next_poll_at,
            old.error,
            old.status,
        )
