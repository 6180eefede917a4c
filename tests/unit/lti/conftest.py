"""Fixtures for launch tests: a registered fake Canvas and a controllable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import Database
from app.lti.platform_keys import PlatformKeySet
from app.lti.registrations import PlatformInput, add_platform
from app.lti.runtime import LtiRuntime
from app.models import Launch, LaunchStateEntry
from tests.unit.lti import fakes


class Clock:
    """A settable clock for ``app.extensions["clock"]``."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def register(app: Flask, deployment_id: str = fakes.DEPLOYMENT_ID) -> int:
    db: Database = app.extensions["db"]
    with db.session() as session:
        platform, _ = add_platform(
            session,
            app.extensions["secret_box"],
            PlatformInput(
                issuer=fakes.ISSUER,
                client_id=fakes.CLIENT_ID,
                deployment_id=deployment_id,
                auth_login_url=fakes.AUTH_LOGIN_URL,
                auth_token_url="https://sso.test.example/login/oauth2/token",
                key_set_url=fakes.KEY_SET_URL,
                canvas_url=fakes.CANVAS_URL,
                api_client_id="10000000000002",
                api_client_secret="api-secret",
            ),
        )
        return platform.id


def install_clock(app: Flask) -> Clock:
    clock = Clock()
    app.extensions["clock"] = clock
    return clock


def install_canvas(app: Flask) -> fakes.FakeCanvas:
    """A fake Canvas registered with the app, its JWKS served through a counting stub."""
    fake = fakes.FakeCanvas()
    register(app)
    runtime: LtiRuntime = app.extensions["lti"]
    runtime.keys = PlatformKeySet(runtime.store, fake, runtime.now)  # type: ignore[arg-type]
    return fake


@pytest.fixture
def clock(app: Flask) -> Clock:
    return install_clock(app)


@pytest.fixture
def canvas(app: Flask, clock: Clock) -> fakes.FakeCanvas:
    return install_canvas(app)


def count_launches(app: Flask) -> int:
    db: Database = app.extensions["db"]
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Launch)) or 0)


def state_keys(app: Flask) -> set[str]:
    db: Database = app.extensions["db"]
    with db.session() as session:
        return set(session.scalars(select(LaunchStateEntry.key)))


Snapshot = Callable[[], tuple[int, set[str]]]


@pytest.fixture
def snapshot(app: Flask) -> Snapshot:
    """(launch rows, state keys without the JWKS cache): what a rejected launch must not change."""

    def take() -> tuple[int, set[str]]:
        return count_launches(app), {k for k in state_keys(app) if not k.startswith("jwks-")}

    return take
