"""Retention per platform and "forget a user" on a real database (docs/privacy.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.canvas.oauth import TokenGrant
from app.canvas.token_store import StoredToken, TokenStore
from app.db import Base, Database
from app.errors import BadRequest
from app.models import (
    AuditEvent,
    CanvasToken,
    Job,
    JobEvent,
    Launch,
    LaunchStateEntry,
    OAuthState,
    Platform,
    Schedule,
    ScheduleRun,
)
from app.reports.stewardship import policy
from app.reports.stewardship.forget import FORGOTTEN, forget_user

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ALICE, BOB = 3, 4
ALICE_NAME, BOB_NAME = "Alice Zebediah", "Bob Teacher"


def _platform(session: Session, issuer: str) -> int:
    platform = Platform(
        issuer=issuer, client_id="1", auth_login_url="x", auth_token_url="x", key_set_url="x",
        canvas_url="x", api_client_id="2", api_client_secret_encrypted=b"x",
    )  # fmt: skip
    session.add(platform)
    session.flush()
    return platform.id


def _job(session: Session, platform_id: int, user: int, name: str, status: str, *,
         finished_days_ago: int | None) -> Job:  # fmt: skip
    finished = NOW - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    job = Job(
        platform_id=platform_id, canvas_user_id=user, user_name=name, family="account",
        report_type="last_user_access_csv", title="Last User Access", status=status,
        canvas_account_id=1, created_at=NOW - timedelta(days=400), updated_at=NOW,
        started_at=NOW, progress_changed_at=NOW, finished_at=finished,
        file_name=f"access of {name}.csv",
    )  # fmt: skip
    session.add(job)
    session.flush()
    session.add(JobEvent(job_id=job.id, at=NOW, from_status=None, to_status=status, detail=""))
    return job


def _audit(session: Session, platform_id: int, user: int | None, name: str, *, days_ago: int,
           detail: str = "", job: Job | None = None) -> None:  # fmt: skip
    session.add(AuditEvent(
        platform_id=platform_id, at=NOW - timedelta(days=days_ago), canvas_user_id=user,
        user_name=name, action="download", job_id=job.id if job else None,
        canvas_account_id=1, detail=detail,
    ))  # fmt: skip


def _launch(session: Session, platform_id: int, user: int, name: str) -> Launch:
    launch = Launch(
        id=f"launch-{user}", platform_id=platform_id, deployment_id="1", user_sub=f"sub-{user}",
        canvas_user_id=user, user_name=name, roles=[], canvas_roles=[], placement="x",
        context_type="account", canvas_account_id=1, expires_at=NOW + timedelta(days=1),
        claims={"name": name},
    )  # fmt: skip
    session.add(launch)
    session.flush()
    session.add(OAuthState(state=f"state-{user}", launch_id=launch.id, expires_at=NOW))
    return launch


@pytest.fixture
def db(app: Flask) -> Database:
    database: Database = app.extensions["db"]
    return database


def test_days_are_whole_numbers_in_range() -> None:
    assert policy.parse_days(" 30 ", "Audit trail") == 30
    for bad in ("", "0", "3651", "-1", "²", "1.5", "ten"):
        with pytest.raises(BadRequest) as caught:
            policy.parse_days(bad, "Audit trail")
        assert caught.value.message == (
            "Audit trail must be a whole number of days from 1 to 3650."
        )


def test_each_platform_keeps_data_for_its_own_periods(app: Flask, db: Database) -> None:
    with app.app_context(), db.session() as session:
        short, default = _platform(session, "https://a"), _platform(session, "https://b")
        policy.save(session, short, policy.Periods(job_days=10, audit_days=20), "Ada", NOW)
        for pid in (short, default):
            _job(session, pid, ALICE, ALICE_NAME, "complete", finished_days_ago=11)
            _job(session, pid, ALICE, ALICE_NAME, "complete", finished_days_ago=9)
            _job(session, pid, ALICE, ALICE_NAME, "running", finished_days_ago=None)
            _job(session, pid, ALICE, ALICE_NAME, "failed", finished_days_ago=100)
            _audit(session, pid, ALICE, ALICE_NAME, days_ago=21)
            _audit(session, pid, ALICE, ALICE_NAME, days_ago=19)
            _audit(session, pid, ALICE, ALICE_NAME, days_ago=400)
        old_schedule = Schedule(
            platform_id=short, owner_user_id=ALICE, family="account", report_type="x",
            parameters={}, cadence="daily", cron="0 6 * * *", time_zone="UTC", status="active",
        )  # fmt: skip
        session.add(old_schedule)
        session.flush()
        for days in (11, 9):
            session.add(ScheduleRun(schedule_id=old_schedule.id,
                                    slot_at=NOW - timedelta(days=days)))  # fmt: skip
        session.commit()
        purged = policy.apply_all(session, NOW)
        session.commit()
        assert (purged[short].jobs, purged[short].audit_events) == (2, 2)
        assert (purged[default].jobs, purged[default].audit_events) == (1, 1)  # 90 / 365 days
        left = {
            pid: sorted(session.scalars(select(Job.status).where(Job.platform_id == pid)))
            for pid in (short, default)
        }
        assert left[short] == ["complete", "running"]  # a live job is never purged
        assert left[default] == ["complete", "complete", "running"]
        assert policy.periods(session, default) == policy.Periods(90, 365)
        kept_runs = session.scalars(select(ScheduleRun.slot_at)).all()
        assert kept_runs == [NOW - timedelta(days=9)]  # runs follow the jobs' period


def _every_text(session: Session) -> list[str]:
    """Every string and JSON value of every row of every table, as text."""
    found: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(table.select()):
            found.extend(str(value) for value in row if isinstance(value, (str, dict, list)))
    return found


def _user_id_cells(session: Session) -> list[int]:
    cells: list[int] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name == "canvas_user_id"]
        for column in columns:
            cells.extend(v for v in session.scalars(select(column)) if v is not None)
    return cells


def test_forgetting_a_user_leaves_no_row_naming_them(app: Flask, db: Database) -> None:
    revoked: list[tuple[str, int]] = []

    def revoke(stored: StoredToken, user_id: int) -> bool:
        revoked.append((stored.access_token, user_id))
        return True

    box = app.extensions["secret_box"]
    with app.app_context(), db.session() as session:
        pid = _platform(session, "https://a")
        for user, name in ((ALICE, ALICE_NAME), (BOB, BOB_NAME)):
            TokenStore(session, box).save(
                pid, user, TokenGrant(f"token-{user}", f"refresh-{user}", None, user, "")
            )
            _launch(session, pid, user, name)
            job = _job(session, pid, user, name, "complete", finished_days_ago=1)
            _audit(session, pid, user, name, days_ago=1, detail="started", job=job)
        bob_job = session.scalars(select(Job).where(Job.canvas_user_id == BOB)).one()
        _audit(session, pid, BOB, BOB_NAME, days_ago=1, detail=f"downloaded {ALICE_NAME}'s file",
               job=bob_job)  # fmt: skip
        alice_schedule = Schedule(
            platform_id=pid, owner_user_id=ALICE, owner_name=ALICE_NAME, family="account",
            report_type="last_user_access_csv", title="Weekly", canvas_account_id=1,
            parameters={}, cadence="daily", cron="0 6 * * *", time_zone="UTC", status="active",
        )  # fmt: skip
        session.add(alice_schedule)
        session.flush()
        session.add(ScheduleRun(schedule_id=alice_schedule.id, slot_at=NOW,
                                job_id=session.scalars(select(Job.id)).first()))  # fmt: skip
        session.add(LaunchStateEntry(key="state-x", value=f'{{"sub": "sub-{ALICE}"}}',
                                     expires_at=NOW))  # fmt: skip
        session.commit()

        done = forget_user(session, box, revoke, platform_id=pid, canvas_user_id=ALICE)
        session.commit()

        assert revoked == [("token-3", ALICE)]
        assert (done.tokens, done.jobs, done.launches, done.launch_states) == (1, 1, 1, 1)
        assert done.schedules == 1
        assert session.scalars(select(ScheduleRun)).all() == []
        assert done.revoked_at_canvas is True
        text = " ".join(_every_text(session))
        assert ALICE_NAME not in text
        assert f"sub-{ALICE}" not in text
        assert ALICE not in _user_id_cells(session)
        assert session.scalars(select(OAuthState.state)).all() == [f"state-{BOB}"]
        # Bob keeps everything; the audit entry that named Alice now says "Forgotten user".
        assert session.scalars(select(CanvasToken.canvas_user_id)).all() == [BOB]
        assert session.scalars(select(Job.canvas_user_id)).all() == [BOB]
        assert f"downloaded {FORGOTTEN}'s file" in text
        alice_audit = session.scalars(
            select(AuditEvent).where(AuditEvent.user_name == FORGOTTEN)
        ).one()
        assert alice_audit.canvas_user_id is None
        assert alice_audit.job_id is None
        assert inspect(alice_audit).persistent
