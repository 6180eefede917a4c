"""Signed, short-lived launch tokens: the session of a launch, without a cookie.

Inside Canvas's iframe the tool's cookies are third-party and may be dropped, so pages carry
this token instead (header, ``?lt=`` on links, hidden form field). It names a ``Launch`` row;
the row, not the token, holds who and where.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from functools import lru_cache

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from app.config import Settings
from app.errors import NotAuthorized
from app.i18n import N_

_SALT = "canvas-reports.launch-token.v1"


_signing_time: ContextVar[float | None] = ContextVar("launch_token_signing_time", default=None)


class _ClockedSigner(TimestampSigner):
    """Signs with the time ``issue`` was given (tests move time instead of sleeping)."""

    def get_timestamp(self) -> int:
        now = _signing_time.get()
        return int(now if now is not None else time.time())


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """One serializer per secret (building one per call cost a class and a key derivation
    on every page)."""
    return URLSafeTimedSerializer(secret_key, salt=_SALT, signer=_ClockedSigner)


def issue(settings: Settings, launch_id: str, *, now: float | None = None) -> str:
    """A token naming ``launch_id``, valid for ``settings.launch_token_ttl_seconds``."""
    reset = _signing_time.set(now)
    try:
        token: str = _serializer(settings.secret_key).dumps(launch_id)
    finally:
        _signing_time.reset(reset)
    return token


def verify(settings: Settings, token: str, *, now: float | None = None) -> str:
    """The launch id inside a valid token.

    Raises:
        NotAuthorized: missing, tampered with, or expired.
    """
    if not token or len(token) > 512:
        raise NotAuthorized(N_("This page needs a launch from Canvas. Reload the page in Canvas."))
    serializer = _serializer(settings.secret_key)
    try:
        launch_id, signed_at = serializer.loads(token, return_timestamp=True)
    except BadSignature as exc:
        raise NotAuthorized(
            N_("The launch token is not valid. Reload the page in Canvas.")
        ) from exc
    current = now if now is not None else time.time()
    age = current - signed_at.timestamp()
    if age > settings.launch_token_ttl_seconds or age < -60:
        raise NotAuthorized(N_("Your session has expired. Reload the page in Canvas."))
    if not isinstance(launch_id, str):
        raise NotAuthorized(N_("The launch token is not valid. Reload the page in Canvas."))
    return launch_id
