"""The state cookie: the first (cookie) way a launch proves it comes from the login's browser.

Named ``lti1p3-<state>`` with the state as its value, as pylti1p3 names it, so a browser
mid-launch across an upgrade still matches. Always ``Secure; SameSite=None; Partitioned``:
setting ``SameSite=None`` only when Flask sees HTTPS would silently drop the cookie in
Canvas's iframe behind a TLS-terminating proxy. Browsers accept ``Secure`` cookies on
``http://localhost`` and ``127.0.0.1`` too, so the demo works.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.wrappers import Response

STATE_COOKIE_PREFIX = "lti1p3-"
STATE_COOKIE_SECONDS = 5 * 60


def state_cookie_name(state: str) -> str:
    return STATE_COOKIE_PREFIX + state


def set_state_cookie(response: Response, state: str) -> None:
    response.set_cookie(
        state_cookie_name(state),
        state,
        max_age=STATE_COOKIE_SECONDS,
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
        path="/",
    )


def state_cookie_matches(cookies: Mapping[str, str], state: str) -> bool:
    """True when the browser sent back the cookie the login set for ``state``."""
    return bool(state) and cookies.get(state_cookie_name(state)) == state
