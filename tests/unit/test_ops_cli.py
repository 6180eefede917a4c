"""``flask --app app jobs ...``, ``keys reencrypt`` and clear messages for misconfiguration."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from app import create_app
from app.config import Settings
from app.crypto import SecretBox
from app.db import Base, Database
from app.errors import ConfigurationError
from app.lti import keys as tool_keys
from app.lti.registrations import PlatformInput, add_platform
from app.models import AuditEvent, CanvasToken, Job, JobEvent, Platform, ToolKey
from app.ops.rekey import encrypted_columns
from tests.support import factories

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _platform(app: Flask) -> int:
    db: Database = app.extensions["db"]
    with db.session() as session:
        platform, _ = add_platform(
            session,
            app.extensions["secret_box"],
            PlatformInput(
                issuer="https://canvas.example",
                client_id="1",
                deployment_id="1:abc",
                auth_login_url="https://canvas.example/auth",
                auth_token_url="https://canvas.example/token",
                key_set_url="https://canvas.example/jwks",
                canvas_url="https://canvas.example",
                api_client_id="2",
                api_client_secret="api-secret-value",
            ),
        )
        return platform.id


def _job(session: object, platform_id: int, status: str, age_days: int, **extra: object) -> Job:
    at = NOW - timedelta(days=age_days)
    finished = at if status in {"complete", "failed", "aborted", "deleted"} else None
    job = factories.job(
        platform_id=platform_id,
        canvas_user_id=3,
        family="course",
        report_type="grade_export_csv",
        title=f"{status}-{age_days}",
        canvas_course_id=101,
        status=status,
        created_at=at,
        updated_at=at,
        finished_at=finished,
        **extra,
    )
    job.events.append(JobEvent(at=at, from_status=None, to_status=status))
    session.add(job)  # type: ignore[attr-defined]
    return job


@pytest.fixture
def jobs_world(app: Flask) -> dict[str, int]:
    app.extensions["clock"] = lambda: NOW
    platform_id = _platform(app)
    db: Database = app.extensions["db"]
    with db.session() as session:
        made = {
            "old complete": _job(session, platform_id, "complete", 100),
            "old failed": _job(session, platform_id, "failed", 40),
            "recent complete": _job(session, platform_id, "complete", 2),
            "old running": _job(session, platform_id, "running", 100),
            "old stale": _job(session, platform_id, "stale", 100),
        }
        session.flush()
        for age in (100, 1):
            session.add(
                AuditEvent(
                    platform_id=platform_id,
                    at=NOW - timedelta(days=age),
                    action="start",
                    job_id=made["old complete"].id,
                )
            )
        return {name: job.id for name, job in made.items()}


def _count(app: Flask, model: type[Base]) -> int:
    db: Database = app.extensions["db"]
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_jobs_list_without_jobs(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    assert "No jobs match." in result.output


def test_jobs_list_filters(runner: FlaskCliRunner, jobs_world: dict[str, int]) -> None:
    everything = runner.invoke(args=["jobs", "list"])
    assert everything.exit_code == 0, everything.output
    assert len(everything.output.strip().splitlines()) == 5
    running = runner.invoke(args=["jobs", "list", "--status", "running"])
    assert running.output.startswith(f"{jobs_world['old running']}\trunning\tplatform ")
    assert len(running.output.strip().splitlines()) == 1
    old = runner.invoke(args=["jobs", "list", "--older-than", "30"])
    ids = {int(line.split("\t")[0]) for line in old.output.strip().splitlines()}
    assert jobs_world["recent complete"] not in ids
    assert len(ids) == 4


def test_jobs_list_rejects_unknown_status(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "list", "--status", "exploded"])
    assert result.exit_code == 2
    assert "exploded" in result.output


def test_jobs_purge_keeps_audit_and_unfinished(
    app: Flask, runner: FlaskCliRunner, jobs_world: dict[str, int]
) -> None:
    result = runner.invoke(args=["jobs", "purge", "--older-than", "30"])
    assert result.exit_code == 0, result.output
    assert "Purged 2 finished job(s)" in result.output
    assert "2 job event(s), 0 audit event(s)" in result.output
    db: Database = app.extensions["db"]
    with db.session() as session:
        left = {job.title for job in session.scalars(select(Job))}
        assert left == {"complete-2", "running-100", "stale-100"}
        audits = list(session.scalars(select(AuditEvent)))
        assert len(audits) == 2
        assert all(event.job_id is None for event in audits)  # the job is gone, the record stays
    assert _count(app, JobEvent) == 3


def test_jobs_purge_with_audit(
    app: Flask, runner: FlaskCliRunner, jobs_world: dict[str, int]
) -> None:
    result = runner.invoke(args=["jobs", "purge", "--older-than", "30", "--include-audit"])
    assert result.exit_code == 0, result.output
    assert "1 audit event(s)" in result.output
    assert _count(app, AuditEvent) == 1  # the recent one stays


def test_jobs_purge_needs_days(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "purge"])
    assert result.exit_code == 2
    assert "--older-than" in result.output


def _secrets_in(app: Flask, box: SecretBox) -> list[str]:
    db: Database = app.extensions["db"]
    values = []
    with db.session() as session:
        for column in encrypted_columns():
            for row in session.scalars(select(column.model)):
                value = getattr(row, column.attribute)
                if value is not None:
                    values.append(box.decrypt(value))
    return sorted(values)


def test_keys_reencrypt_rotates_every_encrypted_column(tmp_path: Path, settings: Settings) -> None:
    old_key = settings.encryption_keys[0]
    first = create_app(settings)
    Base.metadata.create_all(first.extensions["db"].engine)
    platform_id = _platform(first)
    db: Database = first.extensions["db"]
    with db.session() as session:
        tool_keys.ensure_active_key(session, first.extensions["secret_box"], NOW)
        factories.canvas_token(session, first.extensions["secret_box"], platform_id=platform_id,
                               canvas_user_id=3, access_token="access-1",
                               refresh_token="refresh-1", expires_at=NOW)
    before = _secrets_in(first, first.extensions["secret_box"])
    assert len(before) == 4  # api secret, private key, access and refresh token

    new_key = Fernet.generate_key().decode()
    rotated = create_app(settings.with_overrides(encryption_keys=(new_key, old_key)))
    result = rotated.test_cli_runner().invoke(args=["keys", "reencrypt"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 4 value(s)" in result.output
    assert "canvas_token.refresh_token_encrypted 1" in result.output

    only_new = SecretBox((new_key,))
    assert _secrets_in(rotated, only_new) == before
    with pytest.raises(ConfigurationError):
        _secrets_in(rotated, SecretBox((old_key,)))


def test_keys_reencrypt_without_the_old_key_changes_nothing(settings: Settings) -> None:
    app = create_app(settings)
    Base.metadata.create_all(app.extensions["db"].engine)
    _platform(app)
    db: Database = app.extensions["db"]
    with db.session() as session:
        before = session.scalars(select(Platform.api_client_secret_encrypted)).one()
    lost = create_app(settings.with_overrides(encryption_keys=(Fernet.generate_key().decode(),)))
    result = lost.test_cli_runner().invoke(args=["keys", "reencrypt"])
    assert result.exit_code == 1
    assert "cannot be decrypted with ENCRYPTION_KEYS" in result.output
    assert "Traceback" not in result.output
    with db.session() as session:
        assert session.scalars(select(Platform.api_client_secret_encrypted)).one() == before


def test_encrypted_columns_cover_every_secret() -> None:
    names = {f"{c.model.__tablename__}.{c.attribute}" for c in encrypted_columns()}
    assert names == {
        "platform.api_client_secret_encrypted",
        "tool_key.private_key_encrypted",
        "canvas_token.access_token_encrypted",
        "canvas_token.refresh_token_encrypted",
    }
    assert {CanvasToken, ToolKey, Platform} <= {c.model for c in encrypted_columns()}


def test_missing_schema_is_one_clear_line(settings: Settings) -> None:
    app = create_app(settings)  # no tables created
    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert result.exit_code == 1
    assert "has no tables yet; run: flask --app app db upgrade" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_one_clear_line(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'tool.db'}"
    app = create_app(settings.with_overrides(database_url=url))
    result = app.test_cli_runner().invoke(args=["platforms", "list"])
    assert result.exit_code == 1
    assert "Cannot use the database" in result.output
    assert "unable to open database file" in result.output


def test_database_password_is_never_shown(settings: Settings) -> None:
    url = "postgresql+psycopg://tool:hunter2secret@127.0.0.1:1/tool"
    app = create_app(settings.with_overrides(database_url=url))
    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert result.exit_code == 1
    assert "Cannot use the database postgresql+psycopg://tool:***@127.0.0.1:1/tool" in result.output
    assert "hunter2secret" not in result.output


def test_bad_database_url_refuses_to_start(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not a usable database URL"):
        create_app(settings.with_overrides(database_url="not a url"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "postgres//nope"}, "DATABASE_URL is not a usable database URL"),
        ({"TOOL_ENV": "production"}, "TOOL_ENV=production needs these environment variables"),
    ],
)
def test_flask_command_prints_misconfiguration_without_traceback(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TOOL_ENV", "SECRET_KEY", "ENCRYPTION_KEYS"}
    }
    environ |= {"TOOL_INSTANCE_DIR": str(tmp_path), **env}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "platforms", "list"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_pages_say_the_database_is_unreachable(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'tool.db'}"
    app = create_app(settings.with_overrides(database_url=url))
    client = app.test_client()
    page = client.get("/lti_config.json")  # needs no database
    assert page.status_code == 200
    login = client.post("/lti/login", data={"iss": "x", "client_id": "1"})
    assert login.status_code == 503
    assert "database is not reachable" in login.get_data(as_text=True)
    as_json = client.get("/api/jobs/1", headers={"Accept": "application/json"})
    assert as_json.status_code in (403, 503)
