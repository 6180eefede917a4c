"""LTI Dynamic Registration (lti-oauth.md 2.3) on top of pylti1p3's ``DynamicRegistration``.

Canvas opens ``/lti/register?openid_configuration=...&registration_token=...`` in an iframe;
the tool reads the platform configuration (with the token as bearer), posts its own
registration, stores the platform and the deployment Canvas returns, and the page closes
itself with ``org.imsglobal.lti.close``. Dynamic registration never creates the Canvas API
key; an administrator adds it with ``platforms add`` (same issuer and client id).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
from pylti1p3.dynamic_registration import DynamicRegistration
from sqlalchemy.orm import Session

from app.config import loopback_http_origin
from app.crypto import SecretBox
from app.errors import BadRequest
from app.inputs import escape_controls, has_control_characters
from app.lti.config_json import CUSTOM_FIELDS, QUIZ_CUSTOM_FIELDS
from app.lti.registrations import PlatformInput, add_platform, find_platform
from app.models.platform import Platform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
# The one answer to every failure: what went wrong (an error, a status, a URL) goes to the
# log only, never back to the browser.
FAILED = (
    "Canvas did not accept the registration request; start it again from the Developer Keys page."
)

log = logging.getLogger(__name__)


def registration_failed(detail: str) -> NoReturn:
    """Log ``detail`` (escaped) and refuse with the one generic message.

    Raises:
        BadRequest: always, with ``FAILED``.
    """
    log.warning("dynamic registration failed: %s", escape_controls(detail))
    raise BadRequest(FAILED)


def may_fetch(url: str, http_origins: Collection[str]) -> bool:
    """Whether registration may fetch ``url``: https, or http on an allow-listed demo
    origin (``Settings.registration_http_origins``, normalised by ``loopback_http_origin``)."""
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError:
        return False
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    origin = loopback_http_origin(url)
    return origin is not None and origin in http_origins


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class ToolRegistration(DynamicRegistration):  # type: ignore[misc]
    """What this tool tells Canvas about itself, and how it reaches Canvas."""

    client_name = "Canvas Reports"
    description = "Course, account and quiz reports and item analysis, in context."

    def __init__(
        self,
        tool_base_url: str,
        openid_configuration_url: str,
        registration_token: str,
        http: requests.Session,
        http_origins: Collection[str] = (),
    ) -> None:
        self._base = tool_base_url.rstrip("/")
        self._config_url = openid_configuration_url
        self._token = registration_token
        self._http = http
        self._http_origins = frozenset(http_origins)

    # -- what the tool registers ----------------------------------------------------------
    def get_initiate_login_uri(self) -> str:
        return f"{self._base}/lti/login"

    def get_jwks_uri(self) -> str:
        return f"{self._base}/.well-known/jwks.json"

    def get_redirect_uris(self) -> list[str]:
        return [f"{self._base}/lti/launch"]

    def get_domain(self) -> str:
        return urlsplit(self._base).netloc

    def get_target_link_uri(self) -> str:
        return f"{self._base}/lti/launch"

    def get_logo_uri(self) -> str:
        return f"{self._base}/static/icon.svg"

    def get_claims(self) -> list[str]:
        return ["sub", "iss", "name", "given_name", "family_name", "email", "locale"]

    def get_messages(self) -> list[dict[str, Any]]:
        launch = self.get_target_link_uri()

        def message(placement: str, label: str, **extra: Any) -> dict[str, Any]:
            return {
                "type": "LtiResourceLinkRequest",
                "target_link_uri": launch,
                "label": label,
                "placements": [placement],
                **extra,
            }

        return [
            message(
                "course_navigation",
                "Reports",
                **{"https://canvas.instructure.com/lti/visibility": "admins"},
            ),
            message("account_navigation", "Reports"),
            message("quiz_menu", "Quiz analysis", custom_parameters=dict(QUIZ_CUSTOM_FIELDS)),
            message("assignment_menu", "Quiz analysis", custom_parameters=dict(QUIZ_CUSTOM_FIELDS)),
        ]

    def lti_registration_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().lti_registration_data()
        tool_conf = data[TOOL_CONFIGURATION]
        tool_conf["custom_parameters"] = dict(CUSTOM_FIELDS)
        tool_conf["https://canvas.instructure.com/lti/privacy_level"] = "public"
        tool_conf["https://canvas.instructure.com/lti/tool_id"] = "canvas-reports"
        return data

    # -- talking to Canvas -----------------------------------------------------------------
    def get_openid_configuration_endpoint(self) -> str:
        return self._config_url

    def get_registration_token(self) -> str:
        return self._token

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One JSON call to Canvas; only ``may_fetch`` URLs, redirects followed only for a
        GET and only on the same origin (scheme, host, port), at most ``MAX_REDIRECTS``.

        Raises:
            BadRequest: any failure, with the one generic message (details in the log).
        """
        if not may_fetch(url, self._http_origins):
            registration_failed(f"{method} {url!r}: not https nor an allowed demo origin")
        try:
            response = self._send(method, url, **kwargs)
            for _hop in range(MAX_REDIRECTS):
                if not (response.is_redirect and method == "GET"):
                    break
                target = urljoin(url, response.headers.get("Location", ""))
                if _origin(target) != _origin(url) or not may_fetch(target, self._http_origins):
                    registration_failed(f"{method} {url!r}: redirected off-origin to {target!r}")
                url = target
                response = self._send(method, url, **kwargs)
            if not 200 <= response.status_code < 300:
                registration_failed(f"{method} {url!r}: HTTP {response.status_code}")
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            registration_failed(f"{method} {url!r}: {type(exc).__name__}: {exc}")
        if not isinstance(body, dict):
            registration_failed(f"{method} {url!r}: the answer is not a JSON object")
        return body

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self._http.request(
            method,
            url,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            **kwargs,
        )

    def get_openid_configuration(self) -> dict[str, Any]:
        return self._call("GET", self._config_url)

    def run(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(platform configuration, registration answer)."""
        config = self.get_openid_configuration()
        endpoint = config.get("registration_endpoint")
        for name in ("issuer", "authorization_endpoint", "jwks_uri", "token_endpoint"):
            if not isinstance(config.get(name), str):
                registration_failed(f"the OpenID configuration lacks {name}")
        if not isinstance(endpoint, str) or PLATFORM_CONFIGURATION not in config:
            registration_failed("the OpenID configuration is not an LTI platform configuration")
        answer = self._call("POST", endpoint, json=self.lti_registration_data())
        if not isinstance(answer.get("client_id"), str | int):
            registration_failed("the registration answer has no client_id")
        return config, answer


def check_registration_url(url: str, *, http_origins: Collection[str] = ()) -> None:
    """Refuse configuration URLs the tool must not fetch (before any request).

    Raises:
        BadRequest: not https and not on an allow-listed demo origin (the generic message).
    """
    if not may_fetch(url, http_origins):
        registration_failed(f"openid_configuration {url!r}: not https nor an allowed origin")


def store_registration(
    session: Session,
    box: SecretBox,
    openid_configuration_url: str,
    config: dict[str, Any],
    answer: dict[str, Any],
) -> Platform:
    """Save the platform (and the deployment, when Canvas names one) from a registration."""
    parts = urlsplit(openid_configuration_url)
    canvas_url = f"{parts.scheme}://{parts.netloc}"
    client_id = str(answer["client_id"])
    tool_conf = answer.get(TOOL_CONFIGURATION) or {}
    deployment_id = tool_conf.get("deployment_id") if isinstance(tool_conf, dict) else None
    existing = find_platform(session, str(config["issuer"]), client_id)
    platform, _ = add_platform(
        session,
        box,
        PlatformInput(
            issuer=str(config["issuer"]),
            client_id=client_id,
            deployment_id=str(deployment_id or ""),
            auth_login_url=str(config["authorization_endpoint"]),
            auth_token_url=str(config["token_endpoint"]),
            key_set_url=str(config["jwks_uri"]),
            canvas_url=canvas_url,
            api_client_id=existing.api_client_id if existing else "",
            api_client_secret=(
                box.decrypt(existing.api_client_secret_encrypted) if existing else ""
            ),
        ),
        require_deployment=False,
    )
    return platform
