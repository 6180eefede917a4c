"""Helpers shared by the emulator's own tests (helpers A and B2 import from here too).

``make_token`` writes a developer key and an access token straight into the store, so API
tests do not depend on the OAuth flow; ``api`` wraps ``requests`` with the bearer header and
the User-Agent every Canvas client must send.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from emulator import Emulator
from emulator.settings import EmulatorSettings
from emulator.store import AccessToken, DeveloperKey
from emulator.testing import LiveEmulator

USER_AGENT = "emulator-tests/1.0 (+https://example.edu)"


def api_key(emulator: Emulator, *, require_scopes: bool = False,
            scopes: list[str] | None = None, workflow_state: str = "on") -> DeveloperKey:
    """An API developer key stored directly."""
    store = emulator.store
    with store.lock:
        key_id = store.next_id("developer_key", 1)
        key = DeveloperKey(
            id=key_id, client_id=f"1000000000{key_id:04d}", kind="api", name=f"Test key {key_id}",
            client_secret=secrets.token_hex(16), redirect_uris=["http://tool.test/oauth/callback"],
            require_scopes=require_scopes, scopes=list(scopes or []),
            workflow_state=workflow_state,
        )
        store.developer_keys[key_id] = key
        return key


def make_token(emulator: Emulator, user_id: int, *, scopes: list[str] | None = None,
               require_scopes: bool = False, ttl_seconds: float | None = 3600,
               key: DeveloperKey | None = None) -> str:
    """A live access token for ``user_id`` (a fresh API key unless ``key`` is given)."""
    store = emulator.store
    key = key or api_key(emulator, require_scopes=require_scopes, scopes=scopes)
    with store.lock:
        now = store.now()
        raw = f"1~{secrets.token_urlsafe(24)}"
        store.access_tokens[raw] = AccessToken(
            token=raw, refresh_token=secrets.token_urlsafe(24), user_id=user_id,
            developer_key_id=key.id, scopes=list(scopes or []), created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds) if ttl_seconds is not None else None,
        )
        return raw


class Api:
    """A tiny client for one live emulator acting as one token."""

    def __init__(self, live: LiveEmulator, token: str | None) -> None:
        self.live = live
        self.token = token
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.live.url}{path}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def api_as(live: LiveEmulator, user_id: int | None, **token_kwargs: Any) -> Api:
    """An ``Api`` for ``user_id`` (None: no credentials)."""
    token = make_token(live.emulator, user_id, **token_kwargs) if user_id is not None else None
    return Api(live, token)


@pytest.fixture
def frozen(emulator: LiveEmulator) -> Iterator[LiveEmulator]:
    """The live emulator with its clock frozen (advance with ``store.clock.advance``)."""
    emulator.emulator.store.clock.freeze()
    yield emulator
    emulator.emulator.store.clock.unfreeze()


@pytest.fixture
def legacy_emulator() -> Iterator[LiveEmulator]:
    """An emulator with the legacy 403 throttle and 403 "unauthorized" responses."""
    settings = EmulatorSettings(size="small", report_seconds=0.5, throttle_legacy_403=True,
                                auth_error_403=True)
    with LiveEmulator(settings) as live:
        yield live
