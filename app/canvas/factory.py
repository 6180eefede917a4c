"""Build a ``CanvasClient`` for a launch (web requests) or a stored user (the worker).

Dependencies (settings, secret box, clock) default to the current Flask app's, and can be
passed explicitly by tests, scripts and benchmarks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import requests
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasAuthorizationRequired, CanvasError
from app.canvas.http import CanvasRequester, HttpPolicy
from app.canvas.oauth import CanvasOAuth, OAuthConfig
from app.canvas.refresh import NEEDS_AUTHORIZATION, RefreshCoordinator, StoredTokenSource
from app.canvas.token_store import TokenStore
from app.config import Settings
from app.crypto import SecretBox
from app.db import utcnow
from app.i18n import N_
from app.models.launch import Launch
from app.models.platform import Platform

# ``CanvasClient`` is re-exported: app.web names the type through this module and never imports
# app.canvas.client itself (import-linter contract "The web reaches Canvas through services").
__all__ = [
    "CanvasClient",
    "ClientOptions",
    "canvas_client_for_launch",
    "canvas_client_for_user",
    "oauth_for_launch",
    "oauth_for_platform",
]

T = TypeVar("T")


@dataclass(frozen=True)
class ClientOptions:
    """Injectable parts; ``None`` means "take it from the current Flask app"."""

    settings: Settings | None = None
    box: SecretBox | None = None
    now: Callable[[], datetime] | None = None
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random | None = None
    http_session: Callable[[], requests.Session] | None = None
    policy: HttpPolicy = field(default_factory=HttpPolicy)


def canvas_client_for_launch(
    session: Session, launch: Launch, options: ClientOptions | None = None
) -> CanvasClient:
    """The launching user's client.

    Raises:
        CanvasAuthorizationRequired: the user has not authorized the tool (or it was revoked).
    """
    if launch.canvas_user_id is None:
        raise CanvasAuthorizationRequired(
            N_("Canvas did not tell the tool who you are (no Canvas user id in the launch).")
        )
    return canvas_client_for_user(session, launch.platform_id, launch.canvas_user_id, options)


def canvas_client_for_user(
    session: Session,
    platform_id: int,
    canvas_user_id: int,
    options: ClientOptions | None = None,
) -> CanvasClient:
    """A client acting as a stored user (the report worker has no launch).

    Raises:
        CanvasAuthorizationRequired: no stored token for the user.
    """
    options = options or ClientOptions()
    settings, box, now = _dependencies(options)
    platform = _platform(session, platform_id)
    if TokenStore(session, box).row(platform_id, canvas_user_id) is None:
        raise CanvasAuthorizationRequired(NEEDS_AUTHORIZATION)
    coordinator = RefreshCoordinator(
        sessionmaker(bind=session.get_bind(), expire_on_commit=False),
        box,
        oauth_for_platform(platform, options),
        redis_url=settings.redis_url,
        now=now,
    )
    tokens = StoredTokenSource(coordinator, platform_id, canvas_user_id, now=now)
    requester = CanvasRequester(
        platform.canvas_url,
        tokens,
        user_agent=settings.user_agent,
        session=options.http_session() if options.http_session else None,
        policy=options.policy,
        sleep=options.sleep,
        rng=options.rng,
    )
    return CanvasClient(requester)


def oauth_for_platform(platform: Platform, options: ClientOptions | None = None) -> CanvasOAuth:
    """The token-endpoint helper of ``platform`` (authorization flow, disconnect)."""
    options = options or ClientOptions()
    settings, box, now = _dependencies(options)
    return CanvasOAuth(
        OAuthConfig.for_platform(platform, settings, box),
        session_factory=options.http_session,
        now=now,
    )


def oauth_for_launch(
    session: Session, launch: Launch, options: ClientOptions | None = None
) -> CanvasOAuth:
    """The token-endpoint helper for the platform of ``launch``.

    Raises:
        CanvasError: the registration is gone.
    """
    return oauth_for_platform(_platform(session, launch.platform_id), options)


def _platform(session: Session, platform_id: int) -> Platform:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise CanvasError(N_("This Canvas registration no longer exists."))
    return platform


def _dependencies(options: ClientOptions) -> tuple[Settings, SecretBox, Callable[[], datetime]]:
    """The options' settings, secret box and clock; the current app's where they are None."""
    return (
        options.settings or _app_extension("settings", Settings),
        options.box or _app_extension("secret_box", SecretBox),
        options.now or _app_clock(),
    )


def _app_extension(name: str, kind: type[T]) -> T:
    value = current_app.extensions[name]
    if not isinstance(value, kind):
        raise TypeError(f"app.extensions[{name!r}] is not a {kind.__name__}")
    return value


def _app_clock() -> Callable[[], datetime]:
    clock = current_app.extensions.get("clock") if current_app else None
    return clock if callable(clock) else utcnow
