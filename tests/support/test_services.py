"""The throwaway servers really run, isolate tests, survive restarts, and never skip in CI."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from tests.support import postgres as postgres_support
from tests.support import redis as redis_support
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer
from tests.support.services import in_ci, unavailable


def test_unavailable_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server"):
        unavailable("no server")


def test_unavailable_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="no server"):
        unavailable("no server")


@pytest.mark.postgres
def test_postgres_url_is_a_real_postgresql_15(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version_num")).scalar_one()
    engine.dispose()
    assert 150000 <= int(version) < 160000


@pytest.mark.postgres
def test_fresh_databases_are_empty_and_separate(
    postgres_server: PostgresServer, fresh_postgres_url: str
) -> None:
    other = postgres_server.create_database()
    try:
        assert other != fresh_postgres_url
        first = create_engine(fresh_postgres_url)
        with first.begin() as conn:
            conn.execute(text("CREATE TABLE marker (id int)"))
        second = create_engine(other)
        with second.connect() as conn:
            tables = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE tablename = 'marker'")
            ).scalar_one()
        assert tables == 0
        first.dispose()
        second.dispose()
    finally:
        postgres_server.drop_database(other.rsplit("/", 1)[1])


@pytest.mark.postgres
def test_postgres_restart_drops_connections_then_serves_again(
    postgres_server: PostgresServer, fresh_postgres_url: str
) -> None:
    conninfo = postgres_server.conninfo(fresh_postgres_url.rsplit("/", 1)[1])
    conn = psycopg.connect(conninfo)
    postgres_server.restart()
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    conn.close()
    with psycopg.connect(conninfo) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_redis_is_real_and_flushed_per_test(
    redis_server: RedisServer, fresh_redis_url: str
) -> None:
    client = redis.Redis.from_url(fresh_redis_url)
    assert client.dbsize() == 0
    client.set("marker", "1")
    assert client.get("marker") == b"1"
    redis_server.flush()
    assert client.dbsize() == 0
    client.close()


def test_redis_restart_serves_again(redis_server: RedisServer, redis_url: str) -> None:
    redis_server.restart()
    with redis.Redis.from_url(redis_url) as client:
        assert client.ping()


def _fake_executables(names: tuple[str, ...], script: str) -> Path:
    """A world-readable folder of shell scripts (the server may run as another user)."""
    folder = Path(tempfile.mkdtemp(prefix="fakebin-"))
    folder.chmod(0o755)
    for name in names:
        path = folder / name
        path.write_text(f"#!/bin/sh\n{script}\n")
        path.chmod(0o755)
    return folder


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_postgres_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(postgres_support, "find_bindir", lambda: None)
    with pytest.raises(outcome, match="PostgreSQL binaries"):
        postgres_support.require_postgres()


def test_postgres_that_will_not_start_fails_with_its_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    fake = _fake_executables(("initdb", "pg_ctl", "postgres"), "echo 'disk on fire' >&2; exit 1")
    monkeypatch.setenv("PG_BINDIR", str(fake))
    try:
        with pytest.raises(pytest.fail.Exception, match="initdb failed: disk on fire"):
            postgres_support.require_postgres()
    finally:
        shutil.rmtree(fake)


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_redis_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PATH", str(Path(tempfile.gettempdir()) / "no-such-bin"))
    with pytest.raises(outcome, match="redis-server not found"):
        redis_support.require_redis()


def test_redis_that_will_not_start_fails_with_its_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    fake = _fake_executables(("redis-server",), "exit 7")
    monkeypatch.setenv("PATH", str(fake))
    try:
        with pytest.raises(pytest.fail.Exception, match="exited with 7"):
            redis_support.require_redis()
    finally:
        shutil.rmtree(fake)
