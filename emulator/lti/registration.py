"""Tool registration: an LTI developer key from ``lti_config.json``, its deployment on the
root account, and (for REST access) an API developer key.

Validation follows Canvas's developer-key JSON rules (reference 2.1) and reports every
problem at once, so a person pasting JSON in the shell sees all of them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from emulator.lti.tools import canvas_extension, opaque_id, privacy_level_of
from emulator.store import DeveloperKey, ToolDeployment

if TYPE_CHECKING:
    from emulator.state import Emulator

ROOT_ACCOUNT_ID = 1
CLIENT_ID_BASE = 10000000000000  # shard 1: global id = 10^13 + local id
PRIVACY_LEVELS = ("anonymous", "name_only", "email_only", "public")
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
VISIBILITIES = ("admins", "members", "public")
PLACEMENTS = frozenset(
    {
        "account_navigation", "assignment_edit", "assignment_group_menu",
        "assignment_index_menu", "assignment_menu", "assignment_selection", "assignment_view",
        "collaboration", "conference_selection", "course_assignments_menu",
        "course_home_sub_navigation", "course_navigation", "course_settings_sub_navigation",
        "discussion_topic_index_menu", "discussion_topic_menu", "editor_button",
        "file_index_menu", "file_menu", "global_navigation", "homework_submission",
        "link_selection", "migration_selection", "module_group_menu", "module_index_menu",
        "module_index_menu_modal", "module_menu", "module_menu_modal", "post_grades",
        "quiz_index_menu", "quiz_menu", "resource_selection", "similarity_detection",
        "student_context_card", "submission_type_selection", "tool_configuration",
        "top_navigation", "user_navigation", "wiki_index_menu", "wiki_page_menu",
    }
)  # fmt: skip
FETCH_TIMEOUT_SECONDS = 10


class RegistrationError(ValueError):
    """The configuration was refused; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_custom_fields(value: Any, where: str, errors: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        errors.append(f"{where} must be an object of string values")


def _check_jwk(config: dict[str, Any], errors: list[str]) -> None:
    jwk, jwk_url = config.get("public_jwk"), config.get("public_jwk_url")
    if jwk is None and jwk_url is None:
        errors.append("one of public_jwk or public_jwk_url is required")
    if jwk_url is not None and not _is_url(jwk_url):
        errors.append("public_jwk_url must be an http(s) URL")
    if jwk is not None and (
        not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("n") or not jwk.get("e")
    ):
        errors.append("public_jwk must be an RSA JWK object with kty, n and e")


def _check_placement(raw: Any, index: int, errors: list[str]) -> None:
    where = f"placements[{index}]"
    if not isinstance(raw, dict):
        errors.append(f"{where} must be an object")
        return
    name = raw.get("placement")
    if name not in PLACEMENTS:
        errors.append(f"{where}.placement {name!r} is not a Canvas placement")
    if raw.get("message_type", "LtiResourceLinkRequest") not in MESSAGE_TYPES:
        errors.append(f"{where}.message_type must be one of {', '.join(MESSAGE_TYPES)}")
    if "target_link_uri" in raw and not _is_url(raw["target_link_uri"]):
        errors.append(f"{where}.target_link_uri must be an http(s) URL")
    if "visibility" in raw and raw["visibility"] not in VISIBILITIES:
        errors.append(f"{where}.visibility must be one of {', '.join(VISIBILITIES)}")
    if "enabled" in raw and not isinstance(raw["enabled"], bool):
        errors.append(f"{where}.enabled must be true or false")
    if raw.get("default", "enabled") not in ("enabled", "disabled"):
        errors.append(f"{where}.default must be enabled or disabled")
    _check_custom_fields(raw.get("custom_fields"), f"{where}.custom_fields", errors)


def validate_lti_config(config: Any) -> list[str]:
    """Every problem with a developer-key JSON configuration (empty when it is valid)."""
    if not isinstance(config, dict):
        return ["the configuration must be a JSON object"]
    errors: list[str] = []
    for name in ("title", "description", "oidc_initiation_url", "target_link_uri"):
        if not config.get(name):
            errors.append(f"{name} is required")
    for name in ("oidc_initiation_url", "target_link_uri"):
        if config.get(name) and not _is_url(config[name]):
            errors.append(f"{name} must be an http(s) URL")
    level = privacy_level_of(config)
    if level is None:
        errors.append(f"privacy_level is required ({', '.join(PRIVACY_LEVELS)})")
    elif level not in PRIVACY_LEVELS:
        errors.append(f"privacy_level must be one of {', '.join(PRIVACY_LEVELS)}")
    _check_jwk(config, errors)
    scopes = config.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        errors.append("scopes must be a list of strings")
    _check_custom_fields(config.get("custom_fields"), "custom_fields", errors)
    extensions = config.get("extensions", [])
    if not isinstance(extensions, list) or not all(isinstance(e, dict) for e in extensions):
        errors.append("extensions must be a list of objects")
        return errors
    placements = (canvas_extension(config).get("settings") or {}).get("placements", [])
    if not isinstance(placements, list):
        errors.append("extensions[].settings.placements must be a list")
        return errors
    for index, raw in enumerate(placements):
        _check_placement(raw, index, errors)
    return errors


def fetch_lti_config(url: str) -> dict[str, Any]:
    """Fetch a tool's ``lti_config.json`` as Canvas does for "Enter URL"."""
    if not _is_url(url):
        raise RegistrationError(["lti_config_url must be an http(s) URL"])
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationError([f"could not fetch lti_config_url: {exc}"]) from exc
    if not isinstance(config, dict):
        raise RegistrationError(["lti_config_url did not return a JSON object"])
    return config


def _redirect_uris(config: dict[str, Any]) -> list[str]:
    """Every launch URL of the tool: Canvas requires an exact match in the auth request."""
    uris: list[str] = []
    candidates = [config.get("target_link_uri"), *(config.get("redirect_uris") or [])]
    placements = (canvas_extension(config).get("settings") or {}).get("placements") or []
    candidates += [p.get("target_link_uri") for p in placements]
    for uri in candidates:
        if isinstance(uri, str) and uri and uri not in uris:
            uris.append(uri)
    return uris


def client_id_for(key_id: int) -> str:
    return str(CLIENT_ID_BASE + key_id)


def _secret(emulator: Emulator, client_id: str) -> str:
    """A 64-character client secret, deterministic from the seed (so demos are repeatable)."""
    seed = f"{emulator.settings.seed}:{emulator.settings.secret_key}".encode()
    return hmac.new(seed, client_id.encode(), hashlib.sha256).hexdigest()


def create_lti_key(emulator: Emulator, config: dict[str, Any], account_id: int) -> DeveloperKey:
    """Validate ``config``, create the LTI key (state ``on``) and deploy it on ``account_id``."""
    errors = validate_lti_config(config)
    if errors:
        raise RegistrationError(errors)
    store = emulator.store
    with store.lock:
        key_id = store.next_id("developer_key")
        key = DeveloperKey(
            id=key_id,
            client_id=client_id_for(key_id),
            kind="lti",
            name=str(config["title"]),
            redirect_uris=_redirect_uris(config),
            scopes=list(config.get("scopes") or []),
            lti_config=config,
            public_jwk_url=config.get("public_jwk_url"),
            public_jwk=config.get("public_jwk"),
        )
        store.developer_keys[key_id] = key
        deployment_id = f"{key_id}:{opaque_id('Account', account_id)}"
        store.deployments[deployment_id] = ToolDeployment(
            deployment_id=deployment_id, developer_key_id=key_id, account_id=account_id
        )
        return key


def create_api_key(
    emulator: Emulator,
    name: str,
    redirect_uris: Iterable[str],
    *,
    require_scopes: bool = False,
    scopes: Iterable[str] = (),
) -> DeveloperKey:
    store = emulator.store
    with store.lock:
        key_id = store.next_id("developer_key")
        client_id = client_id_for(key_id)
        key = DeveloperKey(
            id=key_id,
            client_id=client_id,
            kind="api",
            name=name,
            client_secret=_secret(emulator, client_id),
            redirect_uris=list(redirect_uris),
            require_scopes=require_scopes,
            scopes=list(scopes),
        )
        store.developer_keys[key_id] = key
        return key


def deployment_of(emulator: Emulator, key: DeveloperKey) -> ToolDeployment:
    for deployment in emulator.store.deployments.values():
        if deployment.developer_key_id == key.id:
            return deployment
    raise LookupError(f"developer key {key.id} has no deployment")


def platform_urls(emulator: Emulator) -> dict[str, str]:
    base = emulator.base_url
    return {
        "issuer": base,
        "auth_login_url": f"{base}/api/lti/authorize_redirect",
        "auth_token_url": f"{base}/login/oauth2/token",
        "key_set_url": f"{base}/api/lti/security/jwks",
        "canvas_url": base,
    }


def register_tool(
    emulator: Emulator,
    *,
    lti_config: dict[str, Any],
    api_redirect_uris: Iterable[str] = (),
    require_scopes: bool = False,
    scopes: Iterable[str] = (),
) -> dict[str, str]:
    """Register a tool as an admin would: LTI key + deployment on account 1 + API key.

    Returns exactly the arguments of the tool's ``platforms add`` command.
    """
    lti_key = create_lti_key(emulator, lti_config, ROOT_ACCOUNT_ID)
    api_key = create_api_key(
        emulator,
        f"{lti_key.name} (API)",
        api_redirect_uris,
        require_scopes=require_scopes,
        scopes=scopes,
    )
    urls = platform_urls(emulator)
    return {
        "issuer": urls["issuer"],
        "client_id": lti_key.client_id,
        "deployment_id": deployment_of(emulator, lti_key).deployment_id,
        "auth_login_url": urls["auth_login_url"],
        "auth_token_url": urls["auth_token_url"],
        "key_set_url": urls["key_set_url"],
        "canvas_url": urls["canvas_url"],
        "api_client_id": api_key.client_id,
        "api_client_secret": api_key.client_secret,
    }
