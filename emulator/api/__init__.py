"""Emulator part: the Canvas REST API (auth, throttle, pagination and the blueprints).

Every ``/api/`` request (except the LTI platform endpoints under ``/api/lti/``) passes
``_before_api``: User-Agent check, bearer-token authentication and scope enforcement
(``auth.py``), then the throttle's up-front reservation (``throttle.py``). ``_after_api``
charges the final cost and adds the rate-limit headers to every API response.
"""

from __future__ import annotations

from flask import Flask, Response, request

from emulator.api import auth, errors, throttle
from emulator.state import current_emulator


def _before_api() -> Response | None:
    """Throttle first (it is Rack middleware in Canvas, so even a 401 is charged), then auth."""
    if not auth.is_api_request():
        return None
    auth.require_user_agent()
    raw = auth.bearer_token()
    if raw is not None:
        key = raw
    else:
        user = auth.session_user(current_emulator())
        key = f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"
    rejected = throttle.begin(key)
    if rejected is not None:
        return rejected
    auth.authenticate_request()
    return None


def _after_api(response: Response) -> Response:
    return throttle.finish(response)


def _teardown_api(_error: BaseException | None) -> None:
    throttle.settle_on_teardown()


def init_app(app: Flask) -> None:
    """Register the API blueprints, the error renderer and the auth/throttle hooks."""
    from emulator.api import (  # noqa: PLC0415 (the blueprints import this package)
        account_reports,
        course_reports,
        files,
        listings,
        progress,
        quiz_reports,
    )
    from emulator.reports import course_lifecycle  # noqa: PLC0415

    errors.register(app)
    app.before_request(_before_api)
    app.after_request(_after_api)
    app.teardown_request(_teardown_api)
    for blueprint in (
        progress.bp,
        files.bp,
        account_reports.bp,
        quiz_reports.bp,  # quizzes, classic and New Quizzes reports
        course_reports.bp,
        listings.bp,
    ):
        app.register_blueprint(blueprint)
    emulator = app.extensions["emulator"]
    progress.refresh_hooks(emulator).append(course_lifecycle.refresh_progress)
