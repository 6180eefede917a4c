"""Step 1 and 2 of the launch: OIDC login initiation, answered with the auth redirect.

The ``state`` is signed and self-contained and the ``nonce`` is derived from it
(``app/lti/login_state.py``): a login stores nothing. The browser proves it started the
login either with a state cookie (first try) or, when Canvas offers platform storage, with
``lti.put_data``/``lti.get_data`` in the page (lti-oauth.md 5).

The tool owns this step (lti-oauth.md 3.2, the OIDC third-party-initiated login): the
checks and the authentication request are pylti1p3's ``OIDCLogin`` behaviour, written out
here so no private pylti1p3 attribute is needed and every branch is tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Response

from app.errors import LaunchError
from app.i18n import N_
from app.lti import login_state
from app.lti.adapters import set_state_cookie
from app.lti.tool_conf import DbToolConf

STATE_TTL_SECONDS = login_state.STATE_TTL_SECONDS
MAX_PARAM_LENGTH = 4096


@dataclass(frozen=True)
class LoginResult:
    """Where to send the browser, and what the page must store first."""

    auth_url: str
    auth_origin: str
    state: str
    nonce: str
    storage_target: str | None

    def apply_cookies(self, response: Response) -> Response:
        set_state_cookie(response, self.state)
        return response


def start_login(
    params: Mapping[str, str],
    cookies: Mapping[str, str],  # noqa: ARG001 - the login reads no cookie (kept for symmetry)
    *,
    tool_conf: DbToolConf,
    secret_key: str,
    now: float,
    launch_url: str,
    tool_base_url: str,
    secure: bool,  # noqa: ARG001 - cookies are Secure whatever the scheme (adapters.py)
) -> LoginResult:
    """Validate the login request and prepare the redirect to Canvas's auth endpoint.

    Raises:
        LaunchError: unknown registration, missing or malformed parameters.
    """
    for key, value in params.items():
        if len(key) > 128 or len(value) > MAX_PARAM_LENGTH:
            raise LaunchError(N_("The login request is malformed (a parameter is too long)."))
    client_id = params.get("client_id")
    if not client_id:
        raise LaunchError(N_("The login request has no client_id; check the developer key."))
    target = params.get("target_link_uri", "")
    if target and not _is_own_url(target, tool_base_url):
        raise LaunchError(N_("The login asks for a target_link_uri that is not this tool's."))
    iss = params.get("iss")
    if not iss:
        raise LaunchError(N_("The login request has no issuer (iss); start the tool from Canvas."))
    login_hint = params.get("login_hint")
    if not login_hint:
        raise LaunchError(N_("The login request has no login_hint; start the tool from Canvas."))
    registration = tool_conf.registration(iss, client_id)
    if registration is None:
        raise LaunchError(
            N_(
                "This Canvas (issuer and client id) is not registered with the tool. "
                "An administrator can add it with `flask --app app platforms add`."
            )
        )
    storage_target = params.get("lti_storage_target") or None
    if storage_target is not None and not login_state.valid_storage_target(storage_target):
        raise LaunchError(N_("The login request is malformed (a parameter is too long)."))
    issued = login_state.issue(secret_key, registration.platform_id, storage_target, now)
    state, nonce = issued.state, issued.nonce
    auth_params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": launch_url,
        "state": state,
        "nonce": nonce,
        "login_hint": login_hint,
    }
    lti_message_hint = params.get("lti_message_hint")
    if lti_message_hint:
        auth_params["lti_message_hint"] = lti_message_hint
    auth_login_url = registration.auth_login_url
    separator = "&" if "?" in auth_login_url else "?"
    parts = urlsplit(auth_login_url)
    return LoginResult(
        auth_url=auth_login_url + separator + urlencode(auth_params),
        auth_origin=f"{parts.scheme}://{parts.netloc}",
        state=state,
        nonce=nonce,
        storage_target=storage_target,
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


def _is_own_url(url: str, tool_base_url: str) -> bool:
    own = urlsplit(tool_base_url)
    try:
        other = urlsplit(url)
    except ValueError:  # e.g. "http://[::1": not a URL at all, so not ours (a 400, not a 500)
        return False
    return (other.scheme, other.netloc) == (own.scheme, own.netloc)
