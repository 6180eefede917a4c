"""The worker's claim, budget and authorization rules, and its Huey wiring."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy.orm import Session

from app import consumer
from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasAuthorizationRequired
from app.config import Settings
from app.db import Database
from app.models.job import Job
from app.reports import worker
from app.reports.polling import PollPolicy
from tests.support import factories

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
POLICY = PollPolicy()


@pytest.fixture
def db(app: Flask) -> Database:
    database: Database = app.extensions["db"]
    with database.session() as session:
        session.add(factories.platform())
    return database


_REPORT_IDS = itertools.count(9)


def add_job(db: Database, *, status: str = "running", due: datetime = T0, user: int = 1) -> int:
    """A job following its own Canvas report (two live jobs never share one)."""
    with db.session() as session:
        job = factories.job(
            canvas_user_id=user,
            status=status,
            canvas_account_id=1,
            canvas_report_id=next(_REPORT_IDS),
            next_poll_at=due,
            created_at=T0 - timedelta(minutes=1),
            started_at=T0 - timedelta(minutes=1),
            progress_changed_at=T0 - timedelta(minutes=1),
        )
        session.add(job)
        session.flush()
        return job.id


def test_a_due_job_is_claimed_by_exactly_one_sweeper(db: Database) -> None:
    job_id = add_job(db)
    first, second = db.sessions(), db.sessions()
    try:
        # Both read the row before either updates it: the conditional UPDATE decides.
        assert worker.claim_due(first, T0, POLICY) == [job_id]
        assert worker.claim_due(second, T0, POLICY) == []
    finally:
        first.close()
        second.close()


def test_a_claim_is_a_lease_that_expires(db: Database) -> None:
    job_id = add_job(db)
    with db.session() as session:
        assert worker.claim_due(session, T0, POLICY) == [job_id]
    with db.session() as session:
        assert worker.claim_due(session, T0 + POLICY.lease - timedelta(seconds=1), POLICY) == []
        assert worker.claim_due(session, T0 + POLICY.lease, POLICY) == [job_id]


def test_jobs_not_due_or_not_live_are_left_alone(db: Database) -> None:
    add_job(db, due=T0 + timedelta(seconds=5))
    add_job(db, status="complete")
    add_job(db, status="stale")
    with db.session() as session:
        assert worker.claim_due(session, T0, POLICY) == []


def test_claims_survive_a_new_process(db: Database, settings: Settings) -> None:
    job_id = add_job(db)
    restarted = Database(settings.database_url)  # a fresh engine: nothing kept in memory
    with restarted.session() as session:
        assert worker.claim_due(session, T0, POLICY) == [job_id]
    restarted.engine.dispose()


class LowBudgetClient(CanvasClient):
    """A client whose last answer said the throttle bucket is nearly full."""

    def __init__(self, remaining: float) -> None:
        self._remaining = remaining

    @property
    def rate_limit_remaining(self) -> float | None:
        return self._remaining


def test_users_with_a_low_budget_are_deferred_without_a_call(db: Database) -> None:
    job_id = add_job(db)
    with db.session() as session:
        result = worker.poll_jobs(
            session, [job_id], lambda _s, _p, _u: LowBudgetClient(10.0), T0, POLICY
        )
    assert result.deferred == [job_id]
    assert result.polled == []
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.next_poll_at == T0 + POLICY.budget_delay
        assert job.polls == 0


def refuse(_session: Session, _platform: int, _user: int) -> CanvasClient:
    raise CanvasAuthorizationRequired("no token")


def test_a_user_without_token_is_retried_later_then_goes_stale(db: Database) -> None:
    job_id = add_job(db)
    with db.session() as session:
        result = worker.poll_jobs(session, [job_id], refuse, T0, POLICY)
    assert result.unauthorized == [job_id]
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status == "running"
        assert job.next_poll_at == T0 + POLICY.max_delay
    later = T0 + POLICY.stale_after + timedelta(minutes=1)
    with db.session() as session:
        worker.poll_jobs(session, [job_id], refuse, later, POLICY)
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status == "stale"


def test_huey_backend_follows_settings(settings: Settings, tmp_path: Path) -> None:
    assert isinstance(worker.make_huey(settings), MemoryHuey)  # tests: immediate
    sqlite = worker.make_huey(settings.with_overrides(huey_immediate=False))
    assert isinstance(sqlite, SqliteHuey)
    assert sqlite.storage.filename == str(tmp_path / "huey.db")  # beside the database
    redis = worker.make_huey(
        settings.with_overrides(huey_immediate=False, redis_url="redis://localhost:6379/0")
    )
    assert isinstance(redis, RedisHuey)


def test_app_has_the_poll_task_and_the_periodic_sweep(app: Flask) -> None:
    huey = app.extensions["huey"]
    registered = {
        key.rsplit(".", 2)[-2] + "." + key.rsplit(".", 1)[-1] for key in huey._registry._registry
    }
    assert {"reports.poll_job", "reports.sweep"} <= registered
    periodic = {task.name: task for task in huey._registry.periodic_tasks}
    assert sorted(periodic) == ["reports.sweep", "schedules.tick", "stewardship.retention"]
    daily = periodic["stewardship.retention"]
    at_317 = datetime(2026, 12, 7, 3, 17, tzinfo=UTC).replace(tzinfo=None)  # huey: naive UTC
    assert daily.validate_datetime(at_317)
    assert not daily.validate_datetime(at_317.replace(minute=18))


def test_polls_are_scheduled_at_next_poll_at(app: Flask, db: Database) -> None:
    job_id = add_job(db, due=datetime(2099, 1, 1, tzinfo=UTC))
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        worker.schedule_polls(app, [job])
    scheduled = app.extensions["huey"].scheduled()
    assert [task.args for task in scheduled] == [(job_id,)]


class BrokenClient(LowBudgetClient):
    """A client whose answer the tool cannot handle (a bug, not a Canvas error)."""

    def __init__(self) -> None:
        super().__init__(700.0)

    def get_account_report(self, account_id: int, report_type: str, report_id: int) -> Any:
        raise RuntimeError("boom")


def test_a_crash_while_polling_fails_that_job_and_the_sweep_goes_on(db: Database) -> None:
    broken, healthy = add_job(db), add_job(db, user=2)
    clients: dict[int, CanvasClient] = {1: BrokenClient(), 2: LowBudgetClient(10.0)}
    with db.session() as session:
        result = worker.poll_jobs(
            session, [broken, healthy], lambda _s, _p, user: clients[user], T0, POLICY
        )
    assert result.deferred == [healthy]  # the next job was still handled
    with db.session() as session:
        job = session.get(Job, broken)
        assert job is not None
        assert job.status == "failed"
        assert job.error
        assert [e.to_status for e in job.events] == ["failed"]


def test_a_jobs_task_claims_and_polls_that_job_only(app: Flask, db: Database) -> None:
    mine, other = add_job(db, user=1), add_job(db, user=2)
    app.extensions["clock"] = lambda: T0
    app.extensions["huey_poll_job"](mine)  # immediate mode: runs now
    with db.session() as session:
        polled, untouched = session.get(Job, mine), session.get(Job, other)
        assert polled is not None
        assert untouched is not None
        assert polled.polls + (polled.error is not None) > 0  # claimed and handled
        assert untouched.next_poll_at == T0  # still due: its own task (or the sweep) polls it
        assert untouched.polls == 0


def test_the_consumer_entry_point_builds_the_app_with_every_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'consumer.db'}")
    huey = consumer.huey  # what ``huey_consumer app.consumer.huey`` loads
    names = {task.name for task in huey._registry.periodic_tasks}
    assert names == {"reports.sweep", "schedules.tick", "stewardship.retention"}
    assert not hasattr(worker, "_create_app")  # the worker never builds the app itself


@pytest.mark.parametrize(("family", "minutes", "stale"), [
    ("new_quiz", 16, True),  # a New Quizzes Progress: 15 minutes, also while waiting
    ("account", 16, False),
    ("account", 31, True),  # every other family: 30 minutes
])  # fmt: skip
def test_a_job_waiting_for_authorization_goes_stale_by_its_familys_rule(
    db: Database, family: str, minutes: int, stale: bool
) -> None:
    with db.session() as session:
        job = factories.job(family=family, status="running", canvas_account_id=1,
                            canvas_progress_id=next(_REPORT_IDS), next_poll_at=T0,
                            progress_changed_at=T0 - timedelta(minutes=minutes))  # fmt: skip
        session.add(job)
        session.flush()
        job_id = job.id

    def no_token(*_args: Any) -> CanvasClient:
        raise CanvasAuthorizationRequired("no token")

    with db.session() as session:
        worker.poll_jobs(session, [job_id], no_token, T0)
        polled = session.get(Job, job_id)
        assert polled is not None
        assert (polled.status == "stale") is stale


def test_the_polling_rule_names_the_new_quiz_family_as_kinds_does() -> None:
    from app.reports.kinds import Family  # noqa: PLC0415
    from app.reports.polling import NEW_QUIZ  # noqa: PLC0415

    assert Family.NEW_QUIZ.value == NEW_QUIZ
