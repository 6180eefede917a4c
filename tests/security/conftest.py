"""Security-suite fixtures: one emulator and one tool per module (rejections store nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import Settings
from app.db import Base, Database
from app.lti import launch_token as launch_tokens
from app.models import Platform
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.integration.oauth_harness import CanvasWorld, LaunchRef
from tests.security.platform import ACCOUNT_NAV, launch_token, tool_id
from tests.support.live import platform_add_args


def make_tool(tmp: Path, **overrides: Any) -> Flask:
    tmp.mkdir(parents=True, exist_ok=True)
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


def register(app: Flask, emulator: LiveEmulator) -> dict[str, Any]:
    """Register the tool in the emulator (LTI key and an API key whose redirect URI is the
    tool's callback), then the answer in the tool with ``platforms add``."""
    config = app.test_client().get("/lti_config.json").get_json()
    answer = requests.post(
        f"{emulator.url}/_emulator/tools",
        json={
            "lti_config": config,
            "api_redirect_uris": [app.extensions["settings"].tool_base_url + "/oauth/callback"],
            "require_scopes": False,
        },
        timeout=10,
    )
    answer.raise_for_status()
    registration: dict[str, Any] = answer.json()
    result = app.test_cli_runner().invoke(args=platform_add_args(registration))
    assert result.exit_code == 0, result.output
    return registration


@pytest.fixture(scope="module")
def registration(tool: Flask, live_canvas: LiveEmulator) -> dict[str, Any]:
    return register(tool, live_canvas)


@pytest.fixture(scope="module")
def connected_admin(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> str:
    """The root admin's launch token (account navigation), connected to Canvas by OAuth."""
    path = ACCOUNT_NAV.format(tool=tool_id(registration), account=1)
    token = launch_token(tool, live_canvas, registration, 1, path)
    launch_id = launch_tokens.verify(tool.extensions["settings"], token)
    db: Database = tool.extensions["db"]
    with db.session() as session:
        platform_id = session.scalars(
            select(Platform.id).where(Platform.issuer == registration["issuer"])
        ).one()
    world = CanvasWorld(tool, live_canvas, platform_id, registration)
    assert world.authorize(LaunchRef(launch_id, token, 1)).status_code == 200
    return token
