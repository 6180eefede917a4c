"""Shared fixtures: the tool app on a fresh database, and a live emulator on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.config import Settings
from app.db import Base, Database
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator

# Throwaway PostgreSQL and Redis servers: fixtures postgres_url, fresh_postgres_url, redis_url, ...
# ci_skips: under CI=true every skipped (or non-strict xfail) test fails the run.
# pytester: tests of the suite's own plugins (tests/support/test_ci_skips.py).
pytest_plugins = [
    "tests.support.postgres",
    "tests.support.redis",
    "tests.support.ci_skips",
    "pytester",
]

TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'tool.db'}",
        secret_key="test-secret-key-" + "x" * 32,
        tool_base_url="http://127.0.0.1:5000",
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        huey_immediate=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    db: Database = app.extensions["db"]
    Base.metadata.create_all(db.engine)
    yield app
    db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def emulator() -> Iterator[LiveEmulator]:
    """A fresh, small, seeded emulator per test (``emulator.url`` is its issuer and API host)."""
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        yield live
