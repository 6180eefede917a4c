"""LTI Dynamic Registration (lti-oauth.md 2.3) on top of pylti1p3's ``DynamicRegistration``.

Canvas opens ``/lti/register?openid_configuration=...&registration_token=...`` in an iframe;
the tool reads the platform configuration (with the token as bearer), posts its own
registration, stores the platform and the deployment Canvas returns, and the page closes
itself with ``org.imsglobal.lti.close``. Dynamic registration never creates the Canvas API
key; an administrator adds it with ``platforms add`` (same issuer and client id).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from pylti1p3.dynamic_registration import DynamicRegistration
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.errors import BadRequest
from app.lti.config_json import CUSTOM_FIELDS, QUIZ_CUSTOM_FIELDS
from app.lti.registrations import PlatformInput, add_platform, find_platform
from app.models.platform import Platform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TIMEOUT_SECONDS = 10


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
    ) -> None:
        self._base = tool_base_url.rstrip("/")
        self._config_url = openid_configuration_url
        self._token = registration_token
        self._http = http

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
        try:
            response = self._http.request(
                method,
                url,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=TIMEOUT_SECONDS,
                **kwargs,
            )
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise BadRequest(
                "Canvas did not accept the registration request; start it again from the "
                "Developer Keys page."
            ) from exc
        if not isinstance(body, dict):
            raise BadRequest("Canvas answered the registration with something unexpected.")
        return body

    def get_openid_configuration(self) -> dict[str, Any]:
        return self._call("GET", self._config_url)

    def run(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(platform configuration, registration answer)."""
        config = self.get_openid_configuration()
        endpoint = config.get("registration_endpoint")
        for name in ("issuer", "authorization_endpoint", "jwks_uri", "token_endpoint"):
            if not isinstance(config.get(name), str):
                raise BadRequest(f"Canvas's OpenID configuration lacks {name}.")
        if not isinstance(endpoint, str) or PLATFORM_CONFIGURATION not in config:
            raise BadRequest("The OpenID configuration is not an LTI platform configuration.")
        answer = self._call("POST", endpoint, json=self.lti_registration_data())
        if not isinstance(answer.get("client_id"), str | int):
            raise BadRequest("Canvas's registration answer has no client_id.")
        return config, answer


def check_registration_url(url: str, *, production: bool) -> None:
    """Refuse configuration URLs the tool must not fetch.

    Raises:
        BadRequest: not http(s), or plain http in production.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: the caller's mistake, a 400
        raise BadRequest("openid_configuration must be an http(s) URL.") from exc
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequest("openid_configuration must be an http(s) URL.")
    if production and parts.scheme != "https":
        raise BadRequest("openid_configuration must use https.")


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
