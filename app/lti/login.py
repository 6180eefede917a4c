"""Step 1 and 2 of the launch: OIDC login initiation, answered with the auth redirect.

The tool remembers ``state`` and ``nonce`` in shared storage (the state record also names the
nonce, so a launch must carry the nonce issued with its state). The browser proves it started
the login either with a state cookie (first try) or, when Canvas offers platform storage,
with ``lti.put_data``/``lti.get_data`` in the page (lti-oauth.md 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.exception import OIDCException
from werkzeug.wrappers import Response

from app.errors import LaunchError
from app.i18n import N_
from app.lti.adapters import PartitionedCookieService, StoreSessionService, ToolRequest
from app.lti.launch_state import StoreLaunchDataStorage
from app.lti.tool_conf import DbToolConf, PlatformRegistration

STATE_TTL_SECONDS = 600
MAX_PARAM_LENGTH = 4096


@dataclass(frozen=True)
class LoginResult:
    """Where to send the browser, and what the page must store first."""

    auth_url: str
    auth_origin: str
    state: str
    nonce: str
    storage_target: str | None
    cookie_service: PartitionedCookieService

    def apply_cookies(self, response: Response) -> Response:
        self.cookie_service.update_response(response)
        return response


class ToolOIDCLogin(FlaskOIDCLogin):  # type: ignore[misc]
    """pylti1p3's login with our storage, cookie service and nonce capture."""

    nonce: str = ""

    def _generate_nonce(self) -> str:
        self.nonce = str(super()._generate_nonce())
        return self.nonce


def start_login(
    params: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    tool_conf: DbToolConf,
    storage: StoreLaunchDataStorage,
    launch_url: str,
    tool_base_url: str,
    secure: bool,
) -> LoginResult:
    """Validate the login request and prepare the redirect to Canvas's auth endpoint.

    Raises:
        LaunchError: unknown registration, missing or malformed parameters.
    """
    for key, value in params.items():
        if len(key) > 128 or len(value) > MAX_PARAM_LENGTH:
            raise LaunchError(N_("The login request is malformed (a parameter is too long)."))
    if not params.get("client_id"):
        raise LaunchError(N_("The login request has no client_id; check the developer key."))
    target = params.get("target_link_uri", "")
    if target and not _is_own_url(target, tool_base_url):
        raise LaunchError(N_("The login asks for a target_link_uri that is not this tool's."))
    request = ToolRequest(params, cookies, secure=secure)
    cookie_service = PartitionedCookieService(request)
    session_service = StoreSessionService(request, storage, STATE_TTL_SECONDS)
    login = ToolOIDCLogin(
        request, tool_conf, session_service=session_service, cookie_service=cookie_service
    )
    try:
        registration = login.validate_oidc_login()
    except OIDCException as exc:
        raise LaunchError(_login_message(str(exc))) from exc
    if not isinstance(registration, PlatformRegistration):
        raise LaunchError(_login_message("registration"))
    storage_target = params.get("lti_storage_target") or None
    try:
        auth_url = login.get_redirect_object(launch_url).get_redirect_url()
    except OIDCException as exc:
        raise LaunchError(_login_message(str(exc))) from exc
    state = _query_value(auth_url, "state")
    # The nonce travels with the state record: a launch must present both together.
    session_service.save_state_params(
        state,
        {
            "platform_id": registration.platform_id,
            "storage_target": storage_target,
            "nonce": login.nonce,
        },
    )
    auth_login_url = registration.get_auth_login_url() or ""
    parts = urlsplit(auth_login_url)
    return LoginResult(
        auth_url=auth_url,
        auth_origin=f"{parts.scheme}://{parts.netloc}",
        state=state,
        nonce=login.nonce,
        storage_target=storage_target,
        cookie_service=cookie_service,
    )


NEW_WINDOW_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


def new_window_params(params: Mapping[str, str]) -> dict[str, str]:
    """Login parameters for a retry in a top-level tab (first-party cookies, no storage).

    Canvas's ``lti_message_hint`` is still unused at this point (the page has not gone to the
    auth URL), so the same login can run once more in the new tab.
    """
    chosen = {name: params[name] for name in NEW_WINDOW_PARAMS if params.get(name)}
    chosen["lti1p3_new_window"] = "1"
    return chosen


def _query_value(url: str, name: str) -> str:
    values = parse_qs(urlsplit(url).query).get(name, [""])
    return values[0]


def _is_own_url(url: str, tool_base_url: str) -> bool:
    own = urlsplit(tool_base_url)
    try:
        other = urlsplit(url)
    except ValueError:  # e.g. "http://[::1": not a URL at all, so not ours (a 400, not a 500)
        return False
    return (other.scheme, other.netloc) == (own.scheme, own.netloc)


def _login_message(detail: str) -> str:
    if "registration" in detail.lower():
        return N_(
            "This Canvas (issuer and client id) is not registered with the tool. "
            "An administrator can add it with `flask --app app platforms add`."
        )
    if "login hint" in detail.lower():
        return N_("The login request has no login_hint; start the tool from Canvas.")
    if "issuer" in detail.lower():
        return N_("The login request has no issuer (iss); start the tool from Canvas.")
    return N_("The login request was not valid; start the tool from Canvas again.")
