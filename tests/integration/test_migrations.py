"""The single Alembic revision builds exactly the models' schema, and tears it down again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import app.models  # noqa: F401 - every table on Base.metadata
from app import create_app
from app.cli import alembic_config
from app.config import Settings
from app.db import Base
from tests.conftest import TEST_ENCRYPTION_KEY


def _round_trip(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        command.check(config)  # raises when the models and the migrated schema differ
        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")  # and up again from base
    finally:
        engine.dispose()


def test_revisions_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert heads == ["0002"]
    assert [rev.revision for rev in script.walk_revisions()] == ["0002", "0001"]


def test_sqlite_upgrade_check_downgrade(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_postgres_upgrade_check_downgrade(fresh_postgres_url: str) -> None:
    _round_trip(fresh_postgres_url)


def test_cli_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    flask_app = create_app(
        Settings(
            database_url=url,
            secret_key="k" * 40,
            tool_base_url="http://127.0.0.1:5000",
            encryption_keys=(TEST_ENCRYPTION_KEY,),
        )
    )
    result = flask_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert "launch" in inspect(engine).get_table_names()
    engine.dispose()
