"""Tool registration from lti_config.json (Python and POST /_emulator/tools) and validation."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests

from emulator.lti.registration import RegistrationError, register_tool, validate_lti_config
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import (
    LAUNCH_URL,
    REDIRECT_URI,
    TOOL_CONFIG,
    extension,
    placements,
    register,
    tool_config,
)

RESULT_KEYS = {
    "issuer", "client_id", "deployment_id", "auth_login_url", "auth_token_url", "key_set_url",
    "canvas_url", "api_client_id", "api_client_secret",
}  # fmt: skip


def test_register_tool_returns_exactly_the_platform_arguments(emulator: LiveEmulator) -> None:
    result = register(emulator)
    assert set(result) == RESULT_KEYS
    url = emulator.url
    assert result["issuer"] == url
    assert result["canvas_url"] == url
    assert result["auth_login_url"] == f"{url}/api/lti/authorize_redirect"
    assert result["auth_token_url"] == f"{url}/login/oauth2/token"
    assert result["key_set_url"] == f"{url}/api/lti/security/jwks"
    assert re.fullmatch(r"1\d{13}", result["client_id"])
    assert re.fullmatch(r"\d+:[0-9a-f]{40}", result["deployment_id"])
    assert re.fullmatch(r"1\d{13}", result["api_client_id"])
    assert result["api_client_id"] != result["client_id"]
    assert len(result["api_client_secret"]) == 64


def test_registration_stores_keys_and_installs_on_the_root_account(emulator: LiveEmulator) -> None:
    result = register(emulator, require_scopes=True, scopes=["url:GET|/api/v1/users/:id"])
    store = emulator.emulator.store
    keys = {k.client_id: k for k in store.developer_keys.values()}
    lti, api = keys[result["client_id"]], keys[result["api_client_id"]]
    assert lti.kind == "lti"
    assert lti.workflow_state == "on"
    assert LAUNCH_URL in lti.redirect_uris
    assert api.kind == "api"
    assert api.client_secret == result["api_client_secret"]
    assert api.redirect_uris == [REDIRECT_URI]
    assert api.require_scopes is True
    assert api.scopes == ["url:GET|/api/v1/users/:id"]
    deployment = store.deployments[result["deployment_id"]]
    assert deployment.account_id == 1
    assert deployment.developer_key_id == lti.id


def test_secrets_are_deterministic_from_the_seed() -> None:
    results = []
    for _ in range(2):
        live = LiveEmulator()
        results.append(register_tool(live.emulator, lti_config=tool_config()))
    assert results[0]["api_client_secret"] == results[1]["api_client_secret"]


def test_post_tools_registers_from_a_json_body(emulator: LiveEmulator) -> None:
    response = requests.post(
        f"{emulator.url}/_emulator/tools",
        json={"lti_config": TOOL_CONFIG, "api_redirect_uris": [REDIRECT_URI]},
    )
    assert response.status_code == 201
    assert set(response.json()) == RESULT_KEYS


@pytest.fixture
def config_server() -> Iterator[str]:
    """A one-file HTTP server that serves the tool's lti_config.json."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(TOOL_CONFIG).encode()
            self.send_response(200 if self.path == "/lti_config.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_post_tools_fetches_lti_config_url(emulator: LiveEmulator, config_server: str) -> None:
    response = requests.post(
        f"{emulator.url}/_emulator/tools",
        json={"lti_config_url": f"{config_server}/lti_config.json"},
    )
    assert response.status_code == 201
    client_id = response.json()["client_id"]
    key = next(
        k for k in emulator.emulator.store.developer_keys.values() if k.client_id == client_id
    )
    assert key.lti_config == TOOL_CONFIG


def test_post_tools_reports_an_unfetchable_url(emulator: LiveEmulator, config_server: str) -> None:
    response = requests.post(
        f"{emulator.url}/_emulator/tools", json={"lti_config_url": f"{config_server}/missing.json"}
    )
    assert response.status_code == 400
    assert "could not fetch" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [{}, {"lti_config_url": "ftp://x"}, {"lti_config": TOOL_CONFIG, "scopes": "a"}],
)
def test_post_tools_rejects_bad_bodies(emulator: LiveEmulator, body: dict[str, Any]) -> None:
    response = requests.post(f"{emulator.url}/_emulator/tools", json=body)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_post_tools_rejects_a_non_json_body(emulator: LiveEmulator) -> None:
    response = requests.post(f"{emulator.url}/_emulator/tools", data="nope")
    assert response.status_code == 400


def _without(name: str) -> dict[str, Any]:
    config = tool_config()
    del config[name]
    return config


def _with_placement(**changes: Any) -> dict[str, Any]:
    config = tool_config()
    placements(config)[0].update(changes)
    return config


def _with_privacy(level: Any) -> dict[str, Any]:
    config = tool_config()
    extension(config)["privacy_level"] = level
    return config


def _no_jwk() -> dict[str, Any]:
    config = tool_config()
    del config["public_jwk_url"]
    return config


INVALID = [
    (_without("title"), "title is required"),
    (_without("description"), "description is required"),
    (_without("oidc_initiation_url"), "oidc_initiation_url is required"),
    (_without("target_link_uri"), "target_link_uri is required"),
    (tool_config(target_link_uri="javascript:alert(1)"), "target_link_uri must be an http(s) URL"),
    (_with_privacy(None), "privacy_level is required"),
    (_with_privacy("everything"), "privacy_level must be one of"),
    (_no_jwk(), "one of public_jwk or public_jwk_url is required"),
    (tool_config(public_jwk={"kty": "EC"}), "public_jwk must be an RSA JWK"),
    (tool_config(public_jwk_url="not a url"), "public_jwk_url must be an http(s) URL"),
    (tool_config(scopes="all"), "scopes must be a list of strings"),
    (tool_config(custom_fields={"a": 1}), "custom_fields must be an object of string values"),
    (tool_config(extensions={}), "extensions must be a list of objects"),
    (_with_placement(placement="front_page"), "is not a Canvas placement"),
    (_with_placement(message_type="LtiSomething"), "message_type must be one of"),
    (_with_placement(target_link_uri="/relative"), "target_link_uri must be an http(s) URL"),
    (_with_placement(visibility="students"), "visibility must be one of"),
    (_with_placement(enabled="yes"), "enabled must be true or false"),
    (_with_placement(default="maybe"), "default must be enabled or disabled"),
    (_with_placement(custom_fields={"x": ["y"]}), "placements[0].custom_fields must be an object"),
]


@pytest.fixture(scope="module")
def refusing_emulator() -> Iterator[LiveEmulator]:
    """Shared by the refusal cases: a refused registration changes nothing."""
    with LiveEmulator() as live:
        yield live


@pytest.mark.parametrize(("config", "message"), INVALID)
def test_invalid_configurations_are_refused_with_a_clear_400(
    refusing_emulator: LiveEmulator, config: dict[str, Any], message: str
) -> None:
    assert any(message in error for error in validate_lti_config(config))
    keys_before = len(refusing_emulator.emulator.store.developer_keys)
    with pytest.raises(RegistrationError):
        register(refusing_emulator, config)
    url = f"{refusing_emulator.url}/_emulator/tools"
    response = requests.post(url, json={"lti_config": config})
    assert len(refusing_emulator.emulator.store.developer_keys) == keys_before
    assert response.status_code == 400
    assert any(message in e["message"] for e in response.json()["errors"])


def test_validation_reports_every_problem_at_once() -> None:
    errors = validate_lti_config({"title": "x"})
    assert len(errors) >= 5


def test_validation_refuses_a_non_object() -> None:
    assert validate_lti_config([1, 2]) == ["the configuration must be a JSON object"]


def test_the_shipped_tool_config_is_valid() -> None:
    assert validate_lti_config(TOOL_CONFIG) == []


def test_privacy_level_may_sit_at_the_top_level() -> None:
    config = tool_config(privacy_level="name_only")
    del extension(config)["privacy_level"]
    assert validate_lti_config(config) == []
