"""The background worker: Huey tasks that poll due jobs, so jobs advance with nobody watching.

Why Huey: one small dependency that runs on SQLite (the demo: ``instance/huey.db``, no
server) and on Redis (production, ``REDIS_URL``) with the same task code, has scheduled
(``eta``) and periodic tasks, and an immediate mode for tests.

Scheduling: after every poll the job's next poll is scheduled at ``next_poll_at``; a
periodic sweep (every minute) picks up anything due that a lost schedule missed — state
lives in the database, so restarting the app or the worker loses nothing. Several worker
processes may sweep at once: a job is *claimed* by moving ``next_poll_at`` forward with a
conditional UPDATE (or ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so exactly one polls it.

Run: ``flask --app app worker``, ``python -m app.consumer`` or ``huey_consumer app.consumer.huey``
(``app/consumer.py`` builds the app; this module never imports the app factory).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasAuthorizationRequired
from app.canvas.factory import canvas_client_for_user
from app.config import Settings
from app.db import Database, utcnow
from app.i18n import N_
from app.models.job import Job
from app.reports.families.run import run_start
from app.reports.polling import DEFAULT_POLICY, PollPolicy
from app.reports.refresh import refresh_job
from app.reports.schedules import runner as schedule_runner
from app.reports.schedules.starter import make_starter, make_term_finder
from app.reports.status import WORKED, JobStatus, move
from app.reports.stewardship import policy as retention

log = logging.getLogger(__name__)

ClientFor = Callable[[Session, int, int], CanvasClient]
"""(session, platform id, Canvas user id) → a client with that user's token."""

# ``starting`` jobs are claimed like live ones: the worker makes their create call.
_LIVE_VALUES = [status.value for status in WORKED]
DEFAULT_START_BUDGET = 5.0
SWEEP_BATCH = 50


@dataclass
class SweepResult:
    claimed: int = 0
    polled: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)  # user's throttle budget was low
    unauthorized: list[int] = field(default_factory=list)


def claim_due(
    session: Session,
    now: datetime,
    policy: PollPolicy,
    limit: int = 50,
    *,
    job_id: int | None = None,
) -> list[int]:
    """Ids of due live or starting jobs this process now owns (``next_poll_at`` moved by a
    lease); only ``job_id`` when given.

    A job is due when ``next_poll_at <= now``. Another process that read the same row sees
    its conditional UPDATE match nothing and skips it.
    """
    lease_until = now + policy.lease
    due = (
        select(Job.id, Job.next_poll_at)
        .where(Job.status.in_(_LIVE_VALUES), Job.next_poll_at <= now)
        .order_by(Job.next_poll_at)
        .limit(limit)
    )
    if job_id is not None:
        due = due.where(Job.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed: list[int] = []
    for found, old in session.execute(due).all():
        result = session.execute(
            update(Job)
            .where(Job.id == found, Job.next_poll_at == old)
            .values(next_poll_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(found)
    session.commit()
    return claimed


def poll_jobs(
    session: Session,
    job_ids: Sequence[int],
    client_for: ClientFor,
    now: datetime,
    policy: PollPolicy = DEFAULT_POLICY,
    *,
    start_budget: float = DEFAULT_START_BUDGET,
) -> SweepResult:
    """Poll claimed jobs (make a starting job's create call), one client per user,
    committing after each job.

    A user whose Canvas budget (``X-Rate-Limit-Remaining``) is low is skipped for this
    round and their jobs are pushed back, so the worker never drives anyone into 429s.
    """
    result = SweepResult(claimed=len(job_ids))
    clients: dict[tuple[int, int], CanvasClient | None] = {}
    for job_id in job_ids:
        job = session.get(Job, job_id)
        if job is None or job.status not in _LIVE_VALUES:
            continue
        key = (job.platform_id, job.canvas_user_id)
        if key not in clients:
            try:
                clients[key] = client_for(session, *key)
            except CanvasAuthorizationRequired:
                clients[key] = None
        client = clients[key]
        if client is None:
            _wait_for_authorization(job, now, policy)
            result.unauthorized.append(job_id)
        elif not policy.budget_ok(client.rate_limit_remaining):
            job.next_poll_at = now + policy.budget_delay
            result.deferred.append(job_id)
        else:
            _poll_guarded(session, client, job_id, now, policy, start_budget=start_budget)
            result.polled.append(job_id)
        session.commit()
    return result


def _poll_guarded(
    session: Session,
    client: CanvasClient,
    job_id: int,
    now: datetime,
    policy: PollPolicy,
    *,
    start_budget: float = DEFAULT_START_BUDGET,
) -> None:
    """Poll one job; a bug must not stall the others, so it fails that job and is logged."""
    try:
        job = session.get(Job, job_id)
        if job is not None and job.status == JobStatus.STARTING.value:
            try:
                run_start(session, client, job, now, budget_seconds=start_budget, policy=policy)
            except CanvasAuthorizationRequired:
                _wait_for_authorization(job, now, policy)
            session.flush()
        elif job is not None:
            refresh_job(session, client, job, now, policy)
            session.flush()
    except OperationalError:
        # The database went away (restart, failover), not this job: failing it would lose
        # it. The claim's lease brings it back to the next sweep once the database is back.
        raise
    except Exception:  # the task boundary of the style guide: log, fail the job, go on
        log.exception("job.poll_crashed", extra={"job_id": job_id})
        session.rollback()
        job = session.get(Job, job_id)
        if job is not None and job.status in _LIVE_VALUES:
            job.error = "The tool failed while checking this report; see the worker log."
            move(job, JobStatus.FAILED, now, detail=job.error)


def _wait_for_authorization(job: Job, now: datetime, policy: PollPolicy) -> None:
    """No usable token: keep the job, try again later; it goes stale if this lasts."""
    job.error = N_("Waiting for the user to authorize the tool in Canvas again.")
    job.next_poll_at = now + policy.max_delay
    if policy.stalled(job.family, job.progress_changed_at, now):
        move(job, JobStatus.STALE, now, detail=job.error)


def sweep(
    db: Database,
    client_for: ClientFor,
    now: datetime,
    policy: PollPolicy = DEFAULT_POLICY,
    limit: int = 50,
    *,
    start_budget: float = DEFAULT_START_BUDGET,
    job_id: int | None = None,
) -> SweepResult:
    """Claim and poll every due job (one batch of at most ``limit``), or only ``job_id``."""
    with db.session() as session:
        ids = claim_due(session, now, policy, limit, job_id=job_id)
        return poll_jobs(session, ids, client_for, now, policy, start_budget=start_budget)


# ---------------------------------------------------------------- Huey wiring


def make_huey(settings: Settings) -> Huey:
    """RedisHuey with ``REDIS_URL``; SQLite next to the demo database otherwise."""
    name = "canvas-reports"
    if settings.huey_immediate:
        return MemoryHuey(name, immediate=True)
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, utc=True)
    return SqliteHuey(name, filename=str(_huey_path(settings)), utc=True)


def _huey_path(settings: Settings) -> Path:
    prefix = "sqlite:///"
    if settings.database_url.startswith(prefix):
        db_file = Path(settings.database_url.removeprefix(prefix))
        if db_file.name and str(db_file) != ":memory:":
            return db_file.parent / "huey.db"
    folder = Path("instance")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "huey.db"


def init_app(app: Flask) -> Huey:
    """Create the app's Huey and register the tasks, bound to ``app`` (once per app)."""
    existing: Huey | None = app.extensions.get("huey")
    if existing is not None:
        return existing
    settings: Settings = app.extensions["settings"]
    huey = make_huey(settings)

    def run_sweep() -> None:
        """Sweep in batches until a batch comes back short: a backlog drains in one run."""
        with app.app_context():
            db: Database = app.extensions["db"]
            clock: Callable[[], datetime] = app.extensions.get("clock", utcnow)
            budget = float(settings.start_budget_seconds)
            while True:
                outcome = sweep(
                    db, canvas_client_for_user, clock(), limit=SWEEP_BATCH, start_budget=budget
                )
                _schedule_next(app, outcome.polled + outcome.deferred + outcome.unauthorized)
                if outcome.claimed < SWEEP_BATCH:
                    return

    def poll_job(job_id: int) -> None:
        """Claim and poll ``job_id`` if it is due (a duplicate task finds it leased and does
        nothing); the periodic sweep catches anything a lost task missed."""
        log.debug("job.due", extra={"job_id": job_id})
        with app.app_context():
            db: Database = app.extensions["db"]
            clock: Callable[[], datetime] = app.extensions.get("clock", utcnow)
            outcome = sweep(
                db, canvas_client_for_user, clock(), limit=1, job_id=job_id,
                start_budget=float(settings.start_budget_seconds),
            )  # fmt: skip
            _schedule_next(app, outcome.polled + outcome.deferred + outcome.unauthorized)

    def sweep_due() -> None:
        run_sweep()

    def apply_retention() -> None:
        """Each platform's retention periods (docs/privacy.md), once a day."""
        with app.app_context():
            db: Database = app.extensions["db"]
            clock: Callable[[], datetime] = app.extensions.get("clock", utcnow)
            with db.session() as session:
                purged = retention.apply_all(session, clock())
                session.commit()
            for platform_id, result in purged.items():
                log.info(
                    "retention.applied",
                    extra={"platform_id": platform_id, "jobs": result.jobs,
                           "audit_events": result.audit_events},
                )  # fmt: skip

    def run_schedules() -> None:
        """Start every due schedule's run (docs/schedules.md); wake the worker for them."""
        with app.app_context():
            db: Database = app.extensions["db"]
            clock: Callable[[], datetime] = app.extensions.get("clock", utcnow)
            with db.session() as session:
                outcome = schedule_runner.tick(
                    session,
                    clock(),
                    make_starter(canvas_client_for_user),
                    make_term_finder(canvas_client_for_user, session),
                )
                started = list(
                    session.scalars(select(Job).where(Job.id.in_(outcome.job_ids)))
                )
            schedule_polls(app, started)

    poll_job_task = huey.task(name="reports.poll_job")(poll_job)
    huey.periodic_task(crontab(minute="*"), name="schedules.tick")(run_schedules)
    sweep_task = huey.periodic_task(crontab(minute="*"), name="reports.sweep")(sweep_due)
    huey.periodic_task(crontab(minute="17", hour="3"), name="stewardship.retention")(
        apply_retention
    )

    app.extensions["huey"] = huey
    app.extensions["huey_poll_job"] = poll_job_task
    app.extensions["huey_sweep"] = sweep_task
    return huey


def _schedule_next(app: Flask, job_ids: Sequence[int]) -> None:
    if not job_ids:
        return
    db: Database = app.extensions["db"]
    with db.session() as session:
        jobs = session.scalars(select(Job).where(Job.id.in_(job_ids))).all()
        schedule_polls(app, jobs)


def schedule_polls(app: Flask, jobs: Sequence[Job]) -> None:
    """Schedule each live job's next poll at its ``next_poll_at`` (call after commit)."""
    init_app(app)
    task: Any = app.extensions["huey_poll_job"]
    for job in jobs:
        if job.status in _LIVE_VALUES and job.next_poll_at is not None:
            task.schedule(args=(job.id,), eta=job.next_poll_at)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the report worker (``flask --app app worker``): polls due jobs until stopped."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    huey = init_app(app)
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
