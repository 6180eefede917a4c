"""Rate limits on the unauthenticated entry points: OIDC login, launch and the OAuth round trip.

These endpoints accept requests from anyone (that is the protocol), cost a signature check,
a JWKS lookup or a token call each, and write short-lived state; a per-client limit keeps a
flood from filling the state store or hammering Canvas. Counters live in Redis when
``REDIS_URL`` is set (shared by every worker process), else in process memory (the demo).
The limits are per client address (``ProxyFix`` makes that the real client behind a proxy).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from app.config import Settings
from app.i18n import N_, translate_known

log = logging.getLogger(__name__)

# Endpoints (blueprint.view) and which configured limit applies to each.
LAUNCH_ENDPOINTS = ("lti.login", "lti.launch", "lti.complete")
OAUTH_ENDPOINTS = ("oauth.authorize", "oauth.callback", "oauth.disconnect")

MESSAGE = N_(
    "Too many requests from your network in a short time. "
    "Wait a minute, then open the tool from Canvas again."
)


def storage_uri(settings: Settings) -> str:
    """Redis when configured (limits hold across processes), else this process's memory."""
    return settings.redis_url or "memory://"


def init_app(app: Flask, settings: Settings) -> Limiter | None:
    """Attach the limiter to the login, launch and OAuth views; ``None`` when turned off."""
    if not settings.rate_limits_enabled:
        return None
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(settings),
        headers_enabled=True,
        # A broken Redis must not take launches down with it: count in memory meanwhile.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix="canvas-reports",
    )
    for endpoints, limit in (
        (LAUNCH_ENDPOINTS, settings.rate_limit_launch),
        (OAUTH_ENDPOINTS, settings.rate_limit_oauth),
    ):
        for endpoint in endpoints:
            view: Callable[..., Any] | None = app.view_functions.get(endpoint)
            if view is None:
                raise RuntimeError(f"rate limit for unknown endpoint {endpoint}")
            # A decorated limit is enforced by the wrapper, so the wrapper replaces the view.
            app.view_functions[endpoint] = cast(Any, limiter.limit(limit)(view))
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["rate_limiter"] = limiter
    return limiter


def _too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    log.warning("rate_limited", extra={"path": request.path, "limit": str(error.limit.limit)})
    headers = {"Retry-After": "60"}
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    message = translate_known(MESSAGE)
    if best == "application/json":
        return jsonify(error="too_many_requests", message=message), 429, headers
    page = render_template("error.html", status=429, code="too_many_requests", message=message)
    return page, 429, headers
