"""LTI Dynamic Registration (reference 2.3): configuration, registration, the shell's page."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from emulator.lti.dynamic import issue_registration_token, registration_to_lti_config
from emulator.lti.registration import RegistrationError
from emulator.lti.tools import privacy_level_of
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import TOOL, acting_as, launch

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def registration_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "application_type": "web",
        "client_name": "Canvas Reports",
        "grant_types": ["client_credentials", "implicit"],
        "response_types": ["id_token"],
        "initiate_login_uri": f"{TOOL}/lti/login",
        "redirect_uris": [f"{TOOL}/lti/launch"],
        "jwks_uri": f"{TOOL}/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "",
        TOOL_CONFIGURATION: {
            "domain": "tool.test",
            "target_link_uri": f"{TOOL}/lti/launch",
            "claims": ["sub", "iss", "name", "email"],
            "custom_parameters": {"canvas_course_id": "$Canvas.course.id"},
            "messages": [
                {
                    "type": "LtiResourceLinkRequest",
                    "target_link_uri": f"{TOOL}/lti/launch",
                    "label": "Reports",
                    "placements": ["course_navigation", "account_navigation"],
                    "https://canvas.instructure.com/lti/visibility": "admins",
                }
            ],
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }
    body.update(changes)
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_openid_configuration_needs_a_valid_registration_token(emulator: LiveEmulator) -> None:
    url = f"{emulator.url}/api/lti/security/openid-configuration"
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers=_bearer("nope")).status_code == 401
    token = issue_registration_token(emulator.emulator, 1)
    response = requests.get(url, headers=_bearer(token))
    assert response.status_code == 200
    config = response.json()
    assert config["issuer"] == emulator.url
    assert config["authorization_endpoint"] == f"{emulator.url}/api/lti/authorize_redirect"
    assert config["registration_endpoint"] == f"{emulator.url}/api/lti/registrations"
    assert config["jwks_uri"] == f"{emulator.url}/api/lti/security/jwks"
    assert config["token_endpoint"] == f"{emulator.url}/login/oauth2/token"
    assert "openid" in config["scopes_supported"]
    assert "sub" in config["claims_supported"]
    platform = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert platform["product_family_code"] == "canvas"
    assert platform["https://canvas.instructure.com/lti/account_name"] == "State University"
    placements = platform["messages_supported"][0]["placements"]
    assert "course_navigation" in placements
    assert "Canvas.api.baseUrl" in platform["variables"]


def test_registration_tokens_expire_after_an_hour(emulator: LiveEmulator) -> None:
    token = issue_registration_token(emulator.emulator, 1)
    emulator.emulator.store.clock.advance(3601)
    url = f"{emulator.url}/api/lti/security/openid-configuration"
    assert requests.get(url, headers=_bearer(token)).status_code == 401


def test_a_registration_creates_a_launchable_tool_once(emulator: LiveEmulator) -> None:
    token = issue_registration_token(emulator.emulator, 1)
    url = f"{emulator.url}/api/lti/registrations"
    response = requests.post(url, json=registration_body(), headers=_bearer(token))
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["client_name"] == "Canvas Reports"
    assert re.fullmatch(r"1\d{13}", echoed["client_id"])
    deployment_id = echoed[TOOL_CONFIGURATION]["deployment_id"]
    store = emulator.emulator.store
    assert store.deployments[deployment_id].account_id == 1
    again = requests.post(url, json=registration_body(), headers=_bearer(token))
    assert again.status_code == 401
    tool = deployment_id.split(":")[0]
    claims = launch(emulator, 3, f"/courses/101/external_tools/{tool}", echoed["client_id"]).claims
    assert claims["https://purl.imsglobal.org/spec/lti/claim/custom"] == {"canvas_course_id": "101"}
    assert claims["name"] == "Tina Teacher"
    student = acting_as(emulator, 10).get(f"{emulator.url}/courses/101/external_tools/{tool}")
    assert student.status_code == 401  # visibility admins came through


def test_an_invalid_registration_is_422_and_does_not_spend_the_token(
    emulator: LiveEmulator,
) -> None:
    token = issue_registration_token(emulator.emulator, 1)
    url = f"{emulator.url}/api/lti/registrations"
    bad = registration_body(token_endpoint_auth_method="client_secret_basic", redirect_uris=[])
    response = requests.post(url, json=bad, headers=_bearer(token))
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert "token_endpoint_auth_method must be private_key_jwt" in messages
    assert "redirect_uris must be a non-empty list" in messages
    assert requests.post(url, json=registration_body(), headers=_bearer(token)).status_code == 200


@pytest.mark.parametrize(
    ("claims", "level"),
    [
        (["sub", "name", "email"], "public"),
        (["sub", "given_name"], "name_only"),
        (["sub", "email"], "email_only"),
        (["sub"], "anonymous"),
    ],
)
def test_privacy_level_follows_the_requested_claims(claims: list[str], level: str) -> None:
    body = registration_body()
    conf = body[TOOL_CONFIGURATION]
    del conf["https://canvas.instructure.com/lti/privacy_level"]
    conf["claims"] = claims
    assert privacy_level_of(registration_to_lti_config(body)) == level


def test_a_registration_without_a_tool_configuration_is_refused() -> None:
    body = registration_body()
    del body[TOOL_CONFIGURATION]
    with pytest.raises(RegistrationError, match="target_link_uri is required"):
        registration_to_lti_config(body)


def test_the_admin_page_opens_the_registration_url_with_both_parameters(
    emulator: LiveEmulator,
) -> None:
    session = acting_as(emulator, 1)
    page = session.get(
        f"{emulator.url}/accounts/1/developer_keys/dynamic_registration",
        params={"registration_url": f"{TOOL}/lti/register?x=1"},
    )
    assert page.status_code == 200
    assert "org.imsglobal.lti.close" in page.text
    src = re.search(r'id="registration_frame"[^>]*src="([^"]+)"', page.text)
    assert src
    url = urlsplit(html.unescape(src.group(1)))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{TOOL}/lti/register"
    query = parse_qs(url.query)
    assert query["x"] == ["1"]
    assert query["openid_configuration"] == [
        f"{emulator.url}/api/lti/security/openid-configuration"
    ]
    config = requests.get(
        query["openid_configuration"][0], headers=_bearer(query["registration_token"][0])
    )
    assert config.status_code == 200


def test_the_admin_page_refuses_bad_urls_and_non_admins(emulator: LiveEmulator) -> None:
    page = acting_as(emulator, 1).get(
        f"{emulator.url}/accounts/1/developer_keys/dynamic_registration",
        params={"registration_url": "javascript:alert(1)"},
    )
    assert "must be an http(s) URL" in page.text
    assert "registration_frame" not in page.text
    teacher = acting_as(emulator, 3).get(
        f"{emulator.url}/accounts/1/developer_keys/dynamic_registration",
        params={"registration_url": f"{TOOL}/lti/register"},
    )
    assert teacher.status_code == 401
