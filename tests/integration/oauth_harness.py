"""The tool registered with a live emulator, and a scripted "browser" for the OAuth round trip.

The emulator's clock is frozen and shared with the tool (``app.extensions["clock"]``) so
state expiry, token expiry and the throttle's leak move together when a test advances time.
Import the fixture into a test module:
``from tests.integration.oauth_harness import canvas_world_fixture`` (it is named ``canvas``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from werkzeug.test import TestResponse

from app.canvas.factory import ClientOptions, canvas_client_for_user
from app.canvas.token_store import StoredToken, TokenStore
from app.config import Settings
from app.crypto import SecretBox
from app.db import Database
from app.lti import launch_token
from app.models.launch import Launch
from app.models.platform import Platform
from emulator.lti.registration import register_tool
from emulator.store import AccessToken
from emulator.testing import LiveEmulator
from tests.support.canvas_probe import ProbeClient

USER_AGENT = "canvas-reports-tests (browser stand-in)"
_TICKET = re.compile(r'name="ticket" value="([^"]+)"')


@dataclass(frozen=True)
class LaunchRef:
    launch_id: str
    token: str  # the launch token (``lt``)
    user_id: int


@dataclass
class CanvasWorld:
    app: Flask
    live: LiveEmulator
    platform_id: int
    registration: dict[str, str]

    # ---------------------------------------------------------------- time and state

    @property
    def settings(self) -> Settings:
        settings: Settings = self.app.extensions["settings"]
        return settings

    @property
    def db(self) -> Database:
        db: Database = self.app.extensions["db"]
        return db

    @property
    def box(self) -> SecretBox:
        box: SecretBox = self.app.extensions["secret_box"]
        return box

    def now(self) -> datetime:
        return self.live.emulator.store.clock.now()

    def advance(self, seconds: float) -> None:
        self.live.emulator.store.clock.advance(seconds)

    def oauth_stats(self) -> dict[str, int]:
        return dict(self.live.emulator.parts.get("oauth_stats", {}))

    def emulator_tokens(self, user_id: int) -> list[AccessToken]:
        store = self.live.emulator.store
        with store.lock:
            return [t for t in store.access_tokens.values() if t.user_id == user_id]

    def stored(self, user_id: int) -> StoredToken | None:
        with self.db.session() as session:
            return TokenStore(session, self.box).load(self.platform_id, user_id)

    def scope_api_key(self, scopes: list[str]) -> None:
        """Make the tool's API developer key enforce exactly ``scopes``."""
        store = self.live.emulator.store
        with store.lock:
            key = next(
                k
                for k in store.developer_keys.values()
                if k.client_id == self.registration["api_client_id"]
            )
            key.require_scopes = True
            key.scopes = scopes

    # ---------------------------------------------------------------- launches and OAuth

    def launch(self, user_id: int, *, canvas_user_id: int | None = -1) -> LaunchRef:
        launch_id = str(uuid.uuid4())
        with self.db.session() as session:
            session.add(
                Launch(
                    id=launch_id,
                    platform_id=self.platform_id,
                    deployment_id=self.registration["deployment_id"],
                    user_sub=f"sub-{user_id}",
                    canvas_user_id=user_id if canvas_user_id == -1 else canvas_user_id,
                    user_name=f"User {user_id}",
                    roles=[],
                    placement="course_navigation",
                    context_type="course",
                    context_title="Biology 101",
                    canvas_course_id=101,
                    canvas_api_base_url=self.live.url,
                    created_at=self.now(),
                    expires_at=self.now() + timedelta(hours=8),
                )
            )
        token = launch_token.issue(self.settings, launch_id, now=self.now().timestamp())
        return LaunchRef(launch_id, token, user_id)

    def browser(self, user_id: int) -> requests.Session:
        """A Canvas browser session logged in as ``user_id``."""
        browser = requests.Session()
        browser.headers["User-Agent"] = USER_AGENT
        browser.get(f"{self.live.url}/_emulator/login_as/{user_id}", timeout=10)
        return browser

    def start(self, launch: LaunchRef) -> str:
        """``/oauth/authorize``: returns the Canvas authorization URL the tool redirected to."""
        response = self.app.test_client().get(f"/oauth/authorize?lt={launch.token}")
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        assert location.startswith(f"{self.live.url}/login/oauth2/auth?")
        return location

    def consent(self, authorize_url: str, *, as_user: int, decision: str = "authorize") -> str:
        """Answer Canvas's consent page; returns the callback URL Canvas redirected to."""
        browser = self.browser(as_user)
        page = browser.get(authorize_url, allow_redirects=False, timeout=10)
        if page.status_code == 302:  # Canvas redirected at once (e.g. invalid_scope)
            return page.headers["Location"]
        match = _TICKET.search(page.text)
        assert match, page.text[:500]
        answer = browser.post(
            f"{self.live.url}/login/oauth2/confirm",
            data={"ticket": match.group(1), "decision": decision},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:500]
        location = answer.headers["Location"]
        assert location.startswith(self.settings.tool_base_url + "/oauth/callback?")
        return location

    def callback(self, callback_url: str) -> TestResponse:
        path = callback_url.removeprefix(self.settings.tool_base_url)
        return self.app.test_client().get(path)

    def authorize(
        self, launch: LaunchRef, *, as_user: int | None = None, decision: str = "authorize"
    ) -> TestResponse:
        """The whole round trip, as the popup would run it."""
        url = self.start(launch)
        callback = self.consent(url, as_user=as_user or launch.user_id, decision=decision)
        return self.callback(callback)

    # ---------------------------------------------------------------- clients

    def options(self, **changes: Any) -> ClientOptions:
        values: dict[str, Any] = {
            "settings": self.settings,
            "box": self.box,
            "now": self.now,
            "sleep": self.sleep,
        }
        values.update(changes)
        return ClientOptions(**values)

    def sleep(self, seconds: float) -> None:
        """The client's sleep: moves the emulator's clock (the throttle leaks meanwhile)."""
        self.advance(seconds)

    def client(self, user_id: int, **changes: Any) -> ProbeClient:
        """The user's client as the worker builds it, plus test-only reads (``get_self``...)."""
        with self.db.session() as session:
            return ProbeClient.of(canvas_client_for_user(
                session, self.platform_id, user_id, self.options(**changes)
            ))

    def connected_client(self, user_id: int, **changes: Any) -> ProbeClient:
        """Authorize ``user_id`` through the real round trip, then build its client."""
        result = self.authorize(self.launch(user_id))
        assert result.status_code == 200, result.get_data(as_text=True)
        return self.client(user_id, **changes)


def build_canvas_world(app: Flask, live: LiveEmulator) -> CanvasWorld:
    settings: Settings = app.extensions["settings"]
    config = app.test_client().get("/lti_config.json").get_json()
    registration = register_tool(
        live.emulator,
        lti_config=config,
        api_redirect_uris=[settings.tool_base_url + "/oauth/callback"],
    )
    live.emulator.store.clock.freeze()
    app.extensions["clock"] = live.emulator.store.clock.now
    box: SecretBox = app.extensions["secret_box"]
    db: Database = app.extensions["db"]
    with db.session() as session:
        platform = Platform(
            issuer=registration["issuer"],
            client_id=registration["client_id"],
            auth_login_url=registration["auth_login_url"],
            auth_token_url=registration["auth_token_url"],
            key_set_url=registration["key_set_url"],
            canvas_url=registration["canvas_url"],
            api_client_id=registration["api_client_id"],
            api_client_secret_encrypted=box.encrypt(registration["api_client_secret"]),
        )
        session.add(platform)
        session.flush()
        platform_id = platform.id
    return CanvasWorld(app, live, platform_id, registration)


@pytest.fixture(name="canvas")
def canvas_world_fixture(app: Flask, emulator: LiveEmulator) -> Iterator[CanvasWorld]:
    world = build_canvas_world(app, emulator)
    yield world
    emulator.emulator.store.clock.unfreeze()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
