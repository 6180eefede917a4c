"""Per-request identity: the launch token names the ``Launch`` a request acts for.

Safe requests (GET/HEAD) may carry the token in ``?lt=`` (links); state-changing requests
accept it only from the ``Authorization: Bearer`` header or the form body. A browser never
attaches either by itself, which is the CSRF defence that cookies would otherwise need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, g, request, url_for

from app.db import request_session
from app.errors import NotAuthorized
from app.extensions import current_now, current_settings
from app.i18n import N_
from app.lti import launch_token
from app.lti.context import require_context
from app.models.launch import Launch

__all__ = [
    "current_launch",
    "init_app",
    "launch_required",
    "launch_url",
    "require_context",
    "token_from_request",
]

P = ParamSpec("P")
R = TypeVar("R")

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def token_from_request() -> str | None:
    """The launch token from the places this request method may carry it."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip() or None
    if request.method in _SAFE_METHODS:
        return request.args.get("lt") or None
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get("lt") or None
    return None


def load_launch() -> Launch:
    """Load and cache the request's launch.

    Raises:
        NotAuthorized: no token, a bad or expired token, or the launch is gone or expired.
    """
    if "launch" in g:
        launch: Launch = g.launch
        return launch
    token = token_from_request()
    if not token:
        raise NotAuthorized(N_("This page needs a launch from Canvas. Open the tool from Canvas."))
    launch_id = launch_token.verify(current_settings(), token, now=current_now().timestamp())
    found = request_session().get(Launch, launch_id)
    if found is None or found.expires_at <= current_now():
        raise NotAuthorized(N_("Your session has expired. Reload the page in Canvas."))
    g.launch = found
    g.launch_token = token
    return found


def launch_required(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the view runs only for a request carrying a valid launch token."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        load_launch()
        return view(*args, **kwargs)

    return wrapper


def current_launch() -> Launch:
    """The launch of this request (inside a ``launch_required`` view).

    Raises:
        NotAuthorized: the request carries no valid launch.
    """
    return load_launch()


def current_token() -> str:
    """The token of this request, for templates and redirects ('' without a launch)."""
    token: str = g.get("launch_token", "")
    return token


def launch_url(endpoint: str, **values: Any) -> str:
    """``url_for`` plus the request's launch token as ``lt`` (links inside the tool)."""
    token = current_token()
    if token:
        values.setdefault("lt", token)
    return url_for(endpoint, **values)


def init_app(app: Flask) -> None:
    """Jinja globals ``launch_token`` and ``launch_url``; ``current_launch`` for templates."""

    @app.context_processor
    def _launch_globals() -> dict[str, Any]:
        return {
            "launch_token": current_token(),
            "launch_url": launch_url,
            "current_launch": g.get("launch"),
        }
