"""The Canvas session cookie: who the browser is "acting as".

Two cookies carry the same signed value. ``canvas_session`` (``SameSite=Lax``) works for
plain HTTP clients such as ``requests`` in tests; ``canvas_session_xsite``
(``SameSite=None; Secure``, which Chromium accepts on ``localhost``) is the one a browser
still sends inside the tool's cross-site iframe, as Canvas's own session cookie is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from emulator.store import User

if TYPE_CHECKING:
    from emulator.state import Emulator

COOKIE = "canvas_session"
CROSS_SITE_COOKIE = "canvas_session_xsite"
SALT = "canvas_session"


def _serializer(emulator: Emulator) -> URLSafeSerializer:
    return URLSafeSerializer(emulator.settings.secret_key, salt=SALT)


def session_value(emulator: Emulator, user_id: int) -> str:
    return _serializer(emulator).dumps({"user_id": user_id})


def current_user(emulator: Emulator) -> User | None:
    for name in (COOKIE, CROSS_SITE_COOKIE):
        raw = request.cookies.get(name)
        if not raw:
            continue
        try:
            data = _serializer(emulator).loads(raw)
        except BadSignature:
            continue
        user = emulator.store.users.get(int(data.get("user_id", 0)))
        if user is not None and user.workflow_state != "deleted":
            return user
    return None


def log_in(emulator: Emulator, response: Response, user_id: int) -> Response:
    value = session_value(emulator, user_id)
    response.set_cookie(COOKIE, value, httponly=True, samesite="Lax", path="/")
    response.set_cookie(
        CROSS_SITE_COOKIE, value, httponly=True, samesite="None", secure=True, path="/"
    )
    return response


def log_out(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CROSS_SITE_COOKIE, path="/", samesite="None", secure=True)
    return response
