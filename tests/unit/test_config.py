"""Settings.from_env: demo defaults, and a production mode that refuses demo secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.config import DEMO_SECRETS_FILE, Settings
from app.errors import ConfigurationError

GOOD = {
    "TOOL_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://u@db/tool",
    "SECRET_KEY": "s" * 10 + "x9Qp2-LmT8vZr4bKc7Ue1Wy5Hn3Jd6Fa",
    "TOOL_BASE_URL": "https://tool.example.edu/",
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def test_demo_defaults_use_sqlite_in_instance_and_persist_secrets(tmp_path: Path) -> None:
    env = {"TOOL_INSTANCE_DIR": str(tmp_path / "instance")}
    first = Settings.from_env(env)
    assert first.database_url == f"sqlite:///{(tmp_path / 'instance').resolve() / 'demo.db'}"
    assert first.production is False
    assert first.tool_base_url == "http://127.0.0.1:5000"
    assert len(first.secret_key) >= 32
    Fernet(first.encryption_keys[0].encode())  # a valid key
    second = Settings.from_env(env)
    assert (second.secret_key, second.encryption_keys) == (first.secret_key, first.encryption_keys)
    secrets_file = tmp_path / "instance" / DEMO_SECRETS_FILE
    assert secrets_file.stat().st_mode & 0o777 == 0o600


def test_demo_reads_environment_overrides(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "TOOL_INSTANCE_DIR": str(tmp_path),
            "DATABASE_URL": "sqlite:///x.db",
            "TOOL_BASE_URL": "http://localhost:8000/",
            "REDIS_URL": "redis://localhost:6379/0",
            "TOOL_PROXY_HOPS": "1",
        }
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.tool_base_url == "http://localhost:8000"
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.proxy_hops == 1


def test_production_with_good_values(tmp_path: Path) -> None:
    settings = Settings.from_env({**GOOD, "TOOL_INSTANCE_DIR": str(tmp_path)})
    assert settings.production is True
    assert settings.tool_base_url == "https://tool.example.edu"
    assert not (tmp_path / DEMO_SECRETS_FILE).exists()  # production never writes demo secrets


@pytest.mark.parametrize(
    "missing", ["DATABASE_URL", "SECRET_KEY", "TOOL_BASE_URL", "ENCRYPTION_KEYS"]
)
def test_production_refuses_missing_values(tmp_path: Path, missing: str) -> None:
    env = {**GOOD, "TOOL_INSTANCE_DIR": str(tmp_path)}
    del env[missing]
    with pytest.raises(ConfigurationError, match=missing):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "changeme", "demo value or shorter"),
        ("SECRET_KEY", "short-but-unique", "demo value or shorter"),
        ("ENCRYPTION_KEYS", "not-a-fernet-key", "Fernet keys"),
        ("TOOL_BASE_URL", "http://tool.example.edu", "https://"),
        ("TOOL_PROXY_HOPS", "many", "whole number"),
    ],
)
def test_production_refuses_bad_values(tmp_path: Path, name: str, value: str, message: str) -> None:
    env = {**GOOD, "TOOL_INSTANCE_DIR": str(tmp_path), name: value}
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)


def test_production_refuses_the_demo_secrets_of_this_instance(tmp_path: Path) -> None:
    demo = Settings.from_env({"TOOL_INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="demo value"):
        Settings.from_env(
            {**GOOD, "TOOL_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": demo.secret_key}
        )
    stored = json.loads((tmp_path / DEMO_SECRETS_FILE).read_text())
    with pytest.raises(ConfigurationError, match="demo key"):
        Settings.from_env(
            {
                **GOOD,
                "TOOL_INSTANCE_DIR": str(tmp_path),
                "ENCRYPTION_KEYS": stored["encryption_key"],
            }
        )
