"""LTI Dynamic Registration (reference 2.3, ``doc/api/registration.md``).

An admin starts it from the shell's Developer Keys page: the tool's registration URL opens
in an iframe with ``openid_configuration`` and a short-lived ``registration_token``. The tool
reads the configuration, POSTs its registration, and closes with ``org.imsglobal.lti.close``.
The emulator turns the IMS registration into a developer-key JSON configuration and
registers it like a pasted ``lti_config.json`` (deployed on the root account).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from flask import Blueprint, Response, jsonify, request

from emulator.lti import signed
from emulator.lti.registration import (
    PLACEMENTS,
    ROOT_ACCOUNT_ID,
    RegistrationError,
    create_lti_key,
    deployment_of,
    platform_urls,
)
from emulator.lti.tools import CANVAS_PLATFORM
from emulator.state import Emulator, current_emulator

bp = Blueprint("lti_dynamic", __name__)

TOKEN_TTL = timedelta(hours=1)
USED_PART = "lti_registration_tokens_used"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CANVAS_PRIVACY = "https://canvas.instructure.com/lti/privacy_level"
CANVAS_VISIBILITY = "https://canvas.instructure.com/lti/visibility"
CANVAS_TOOL_ID = "https://canvas.instructure.com/lti/tool_id"
SCOPES_SUPPORTED = [
    "openid",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://canvas.instructure.com/lti/public_jwk/scope/update",
]
CLAIMS_SUPPORTED = [
    "sub", "iss", "name", "given_name", "family_name", "nickname", "picture", "email", "locale",
]  # fmt: skip
VARIABLES = [
    "Canvas.api.baseUrl", "Canvas.api.domain", "Canvas.user.id", "Canvas.user.loginId",
    "Canvas.course.id", "Canvas.course.sectionIds", "Canvas.account.id",
    "Canvas.rootAccount.id", "Canvas.assignment.id", "Canvas.membership.roles",
    "com.instructure.PostMessageToken", "Message.locale", "Canvas.user.prefersHighContrast",
]  # fmt: skip


def issue_registration_token(emulator: Emulator, user_id: int) -> str:
    claims = {
        "uuid": secrets.token_hex(16),
        "initiated_by": user_id,
        "root_account_id": ROOT_ACCOUNT_ID,
    }
    return signed.sign(emulator, claims, emulator.store.now() + TOKEN_TTL)


def _token_claims(emulator: Emulator) -> dict[str, Any] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    claims = signed.verify(emulator, header[7:].strip(), ["uuid"])
    if claims is None or claims["uuid"] in emulator.parts.get(USED_PART, set()):
        return None
    return claims


def _unauthorized() -> Response:
    response = jsonify({"errors": [{"message": "Invalid or missing registration token"}]})
    response.status_code = 401
    return response


def openid_configuration_for(emulator: Emulator) -> dict[str, Any]:
    urls = platform_urls(emulator)
    root = emulator.store.accounts.get(ROOT_ACCOUNT_ID)
    return {
        "issuer": urls["issuer"],
        "authorization_endpoint": urls["auth_login_url"],
        "registration_endpoint": f"{emulator.base_url}/api/lti/registrations",
        "jwks_uri": urls["key_set_url"],
        "token_endpoint": urls["auth_token_url"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["id_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "subject_types_supported": ["public"],
        "authorization_server": urls["issuer"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "canvas",
            "version": "OpenSource",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest", "placements": sorted(PLACEMENTS)},
                {"type": "LtiDeepLinkingRequest", "placements": sorted(PLACEMENTS)},
            ],
            "variables": VARIABLES,
            "https://canvas.instructure.com/lti/account_name": root.name if root else "",
            "https://canvas.instructure.com/lti/account_lti_guid": "canvas-lms",
        },
    }


@bp.get("/api/lti/security/openid-configuration")
def openid_configuration() -> Response:
    emulator = current_emulator()
    if _token_claims(emulator) is None:
        return _unauthorized()
    return jsonify(openid_configuration_for(emulator))


def _privacy_level(tool_conf: dict[str, Any]) -> str:
    explicit = tool_conf.get(CANVAS_PRIVACY)
    if isinstance(explicit, str):
        return explicit
    claims = set(tool_conf.get("claims") or [])
    has_name = bool(claims & {"name", "given_name", "family_name"})
    if has_name and "email" in claims:
        return "public"
    if has_name:
        return "name_only"
    return "email_only" if "email" in claims else "anonymous"


def registration_to_lti_config(body: dict[str, Any]) -> dict[str, Any]:
    """Translate an IMS registration into Canvas's developer-key JSON."""
    errors: list[str] = []
    if body.get("application_type") != "web":
        errors.append("application_type must be web")
    for name in ("client_name", "initiate_login_uri", "jwks_uri"):
        if not isinstance(body.get(name), str) or not body.get(name):
            errors.append(f"{name} is required")
    if not isinstance(body.get("redirect_uris"), list) or not body.get("redirect_uris"):
        errors.append("redirect_uris must be a non-empty list")
    if "id_token" not in (body.get("response_types") or []):
        errors.append("response_types must include id_token")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        errors.append("token_endpoint_auth_method must be private_key_jwt")
    tool_conf = body.get(TOOL_CONFIGURATION)
    if not isinstance(tool_conf, dict) or not tool_conf.get("target_link_uri"):
        errors.append(f"{TOOL_CONFIGURATION}.target_link_uri is required")
    if errors:
        raise RegistrationError(errors)
    tool_conf = cast(dict[str, Any], tool_conf)
    placements: list[dict[str, Any]] = []
    for message in tool_conf.get("messages") or []:
        for placement in message.get("placements") or []:
            entry: dict[str, Any] = {
                "placement": placement,
                "message_type": message.get("type", "LtiResourceLinkRequest"),
                "target_link_uri": message.get("target_link_uri") or tool_conf["target_link_uri"],
                "text": message.get("label") or body["client_name"],
            }
            if message.get("custom_parameters"):
                entry["custom_fields"] = message["custom_parameters"]
            if message.get(CANVAS_VISIBILITY):
                entry["visibility"] = message[CANVAS_VISIBILITY]
            if message.get("icon_uri"):
                entry["icon_url"] = message["icon_uri"]
            placements.append(entry)
    return {
        "title": body["client_name"],
        "description": tool_conf.get("description") or body["client_name"],
        "oidc_initiation_url": body["initiate_login_uri"],
        "target_link_uri": tool_conf["target_link_uri"],
        "public_jwk_url": body["jwks_uri"],
        "redirect_uris": body["redirect_uris"],
        "scopes": [s for s in str(body.get("scope", "")).split() if s],
        "custom_fields": tool_conf.get("custom_parameters") or {},
        "extensions": [
            {
                "platform": CANVAS_PLATFORM,
                "domain": tool_conf.get("domain"),
                "tool_id": tool_conf.get(CANVAS_TOOL_ID),
                "privacy_level": _privacy_level(tool_conf),
                "settings": {"text": body["client_name"], "placements": placements},
            }
        ],
    }


@bp.post("/api/lti/registrations")
def create_registration() -> Response:
    emulator = current_emulator()
    claims = _token_claims(emulator)
    if claims is None:
        return _unauthorized()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    try:
        config = registration_to_lti_config(body)
        key = create_lti_key(emulator, config, ROOT_ACCOUNT_ID)
    except RegistrationError as exc:
        response = jsonify({"errors": [{"message": m} for m in exc.errors]})
        response.status_code = 422
        return response
    with emulator.store.lock:
        emulator.parts.setdefault(USED_PART, set()).add(claims["uuid"])
    echoed = dict(body)
    echoed["client_id"] = key.client_id
    tool_conf = dict(body[TOOL_CONFIGURATION])
    tool_conf["deployment_id"] = deployment_of(emulator, key).deployment_id
    echoed[TOOL_CONFIGURATION] = tool_conf
    return jsonify(echoed)
