"""Security-suite fixtures: one emulator and one tool per module (rejections store nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.config import Settings
from app.db import Base, Database
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.integration.launch_helpers import register


def make_tool(tmp: Path, **overrides: Any) -> Flask:
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'tool.db'}",
        secret_key="security-suite-secret-" + "x" * 32,
        tool_base_url="http://127.0.0.1:5000",
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        huey_immediate=True,
    ).with_overrides(**overrides)
    app = create_app(settings)
    app.config["TESTING"] = True
    db: Database = app.extensions["db"]
    Base.metadata.create_all(db.engine)
    return app


@pytest.fixture(scope="module")
def live_canvas() -> Iterator[LiveEmulator]:
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        yield live


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_tool(tmp_path_factory.mktemp("tool"), rate_limits_enabled=False)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture(scope="module")
def registration(tool: Flask, live_canvas: LiveEmulator) -> dict[str, Any]:
    return register(tool, live_canvas)
