"""Thin adapters between Flask requests and pylti1p3's request and cookie interfaces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.contrib.flask.cookie import FlaskCookieService
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.contrib.flask.session import FlaskSessionService as _FlaskSessionService
from werkzeug.wrappers import Response

from app.lti.launch_state import StoreLaunchDataStorage


class ToolRequest(FlaskRequest):  # type: ignore[misc]
    """The parameters of one login or launch request (query and form merged, form wins)."""

    def __init__(
        self, params: Mapping[str, str], cookies: Mapping[str, str], *, secure: bool
    ) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            cookies=dict(cookies), session={}, request_data=dict(params), request_is_secure=secure
        )

    def get_param(self, key: str) -> Any:
        data: dict[str, str] = self._request_data or {}
        return data.get(key)


class PartitionedCookieService(FlaskCookieService):  # type: ignore[misc]
    """State cookies as a first try only: ``Secure; SameSite=None; Partitioned`` always.

    pylti1p3 adds ``SameSite=None`` only when Flask sees HTTPS; behind a TLS-terminating proxy
    that silently drops the cookie in Canvas's iframe. Browsers accept ``Secure`` cookies on
    ``http://localhost`` and ``127.0.0.1`` too, so the demo works.
    """

    def __init__(self, request: ToolRequest) -> None:
        super().__init__(request)  # type: ignore[no-untyped-call]

    def update_response(self, response: Response) -> None:
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                str(data["value"]),
                max_age=data["exp"],
                secure=True,
                httponly=True,
                samesite="None",
                partitioned=True,
                path="/",
            )


class StoreSessionService(_FlaskSessionService):  # type: ignore[misc]
    """pylti1p3's session service on shared storage: one ``lti1p3-<state>`` record per login.

    The nonce is kept inside the state record, not under a key of its own (pylti1p3's
    ``lti1p3-nonce-<nonce>``): a launch must present the nonce issued with its state, and
    ``launch.consume`` takes the state record once, atomically, which spends the nonce with
    it. One write per login and one take per launch instead of two of each. pylti1p3's own
    ``check_nonce`` looks for the key that is never written, so it answers False: a launch
    validated by pylti1p3 alone would be refused, never let through.
    """

    def __init__(self, request: ToolRequest, storage: StoreLaunchDataStorage, ttl: int) -> None:
        super().__init__(request)
        self.set_data_storage(storage)
        self.set_launch_data_lifetime(ttl)

    def save_nonce(self, nonce: str) -> None:
        """Nothing to store: ``start_login`` writes the nonce into the state record."""
