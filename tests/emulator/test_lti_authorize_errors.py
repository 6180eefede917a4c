"""Every failure of /api/lti/authorize_redirect and /api/lti/authorize (reference 3.6)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from emulator.lti.options import lti_options
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import (
    LAUNCH_URL,
    Form,
    acting_as,
    auth_request,
    authorize,
    login_initiation,
    read_form,
    register,
    tool_config,
    tool_id,
)


def _start(live: LiveEmulator, user_id: int = 3, config: dict[str, Any] | None = None) -> tuple[
    requests.Session, Form, dict[str, str]
]:  # fmt: skip
    reg = register(live, config)
    session = acting_as(live, user_id)
    initiation = login_initiation(session, f"{live.url}/courses/101/external_tools/{tool_id(reg)}")
    return session, initiation, reg


def _error_form(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text[:300]
    form = read_form(response.text, "lti_form")
    assert form.method == "POST"
    assert form.action == LAUNCH_URL
    assert "id_token" not in form.fields
    return form.fields


def _bad_request(response: requests.Response, message: str) -> None:
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message}]}
    assert "lti_form" not in response.text


@pytest.mark.parametrize("hint", ["garbage", "a.b.c", None])
def test_a_forged_or_missing_message_hint_is_a_bare_400(
    emulator: LiveEmulator, hint: str | None
) -> None:
    session, initiation, _ = _start(emulator)
    params = auth_request(initiation, lti_message_hint=hint)
    _bad_request(authorize(session, emulator, params), "Invalid lti_message_hint")
    direct = session.post(f"{emulator.url}/api/lti/authorize", data=params)
    _bad_request(direct, "Invalid lti_message_hint")


def test_a_hint_signed_with_another_key_is_refused(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    claims = jwt.decode(initiation.fields["lti_message_hint"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-emulator-secret-but-long-enough-for-hs256", "HS256")
    _bad_request(
        authorize(session, emulator, auth_request(initiation, lti_message_hint=forged)),
        "Invalid lti_message_hint",
    )


def test_an_expired_hint_is_a_bare_400(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    emulator.emulator.store.clock.advance(301)
    _bad_request(authorize(session, emulator, auth_request(initiation)), "Invalid lti_message_hint")


@pytest.mark.parametrize(
    "redirect_uri", ["https://tool.test/lti/launch/", "https://evil.test/lti/launch", ""]
)
def test_an_unregistered_redirect_uri_is_a_bare_400(
    emulator: LiveEmulator, redirect_uri: str
) -> None:
    session, initiation, _ = _start(emulator)
    params = auth_request(initiation, redirect_uri=redirect_uri)
    _bad_request(authorize(session, emulator, params), "Invalid redirect_uri")


def test_a_registered_redirect_uri_with_a_query_requires_those_parameters(
    emulator: LiveEmulator,
) -> None:
    config = tool_config(redirect_uris=["https://tool.test/lti/launch2?tenant=a"])
    session, initiation, _ = _start(emulator, config=config)
    ok = auth_request(initiation, redirect_uri="https://tool.test/lti/launch2?tenant=a&x=1")
    response = authorize(session, emulator, ok)
    assert 'name="id_token"' in response.text
    session, initiation, _ = _start(emulator, config=config)
    wrong = auth_request(initiation, redirect_uri="https://tool.test/lti/launch2?tenant=b")
    _bad_request(authorize(session, emulator, wrong), "Invalid redirect_uri")


def test_missing_parameters_are_listed(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    params = auth_request(initiation, nonce=None, prompt=None)
    fields = _error_form(authorize(session, emulator, params))
    assert fields == {
        "error": "invalid_request_object",
        "error_description": "The following parameters are missing: nonce,prompt",
        "state": params["state"],
    }


def test_scope_must_be_openid(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    params = auth_request(initiation, scope="openid profile")
    fields = _error_form(authorize(session, emulator, params))
    assert fields["error"] == "invalid_request_object"
    assert fields["error_description"] == "The 'scope' must be 'openid'"


@pytest.mark.parametrize(
    ("override", "description"),
    [
        ({"response_mode": "query"}, "The 'response_mode' must be 'form_post'"),
        ({"prompt": "login"}, "The 'prompt' must be 'none'"),
        ({"response_type": "code"}, "The 'response_type' must be 'id_token'"),
        ({"nonce": ""}, "The 'nonce' must not be empty"),
    ],
)
def test_strict_mode_checks_the_other_oidc_values(
    emulator: LiveEmulator, override: dict[str, str], description: str
) -> None:
    session, initiation, _ = _start(emulator)
    params = auth_request(initiation, **override)
    fields = _error_form(authorize(session, emulator, params))
    assert fields["error"] == "invalid_request_object"
    assert fields["error_description"] == description


def test_strict_mode_requires_state_and_canvas_mode_does_not(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    fields = _error_form(authorize(session, emulator, auth_request(initiation, state=None)))
    assert fields == {
        "error": "invalid_request_object",
        "error_description": "The 'state' parameter is required",
    }
    response = requests.post(f"{emulator.url}/_emulator/strict_oidc_params", json={"strict": False})
    assert response.json() == {"strict": False}
    session, initiation, _ = _start(emulator)
    form = read_form(
        authorize(session, emulator, auth_request(initiation, state=None)).text, "lti_form"
    )
    assert "id_token" in form.fields
    assert "state" not in form.fields


def test_without_a_canvas_session_login_is_required(emulator: LiveEmulator) -> None:
    _, initiation, _ = _start(emulator)
    params = auth_request(initiation)
    fields = _error_form(authorize(requests.Session(), emulator, params))
    assert fields == {
        "error": "login_required",
        "error_description": "Must have an active user session",
        "state": params["state"],
    }


def test_a_session_of_another_user_is_login_required(emulator: LiveEmulator) -> None:
    _, initiation, _ = _start(emulator, user_id=3)
    other = acting_as(emulator, 4)
    fields = _error_form(authorize(other, emulator, auth_request(initiation)))
    assert fields["error"] == "login_required"


def test_a_developer_key_turned_off_is_unauthorized_client(emulator: LiveEmulator) -> None:
    session, initiation, reg = _start(emulator)
    response = requests.post(
        f"{emulator.url}/_emulator/developer_keys/{reg['client_id']}/workflow_state",
        json={"workflow_state": "off"},
    )
    assert response.status_code == 200
    fields = _error_form(authorize(session, emulator, auth_request(initiation)))
    assert fields["error"] == "unauthorized_client"
    assert fields["error_description"] == "Client not authorized in requested context"


def test_the_workflow_state_knob_refuses_bad_values_and_unknown_keys(
    emulator: LiveEmulator,
) -> None:
    reg = register(emulator)
    url = f"{emulator.url}/_emulator/developer_keys"
    bad = requests.post(f"{url}/{reg['client_id']}/workflow_state", json={"workflow_state": "x"})
    assert bad.status_code == 400
    missing = requests.post(f"{url}/1/workflow_state", json={"workflow_state": "off"})
    assert missing.status_code == 404


def test_a_launch_completes_once(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    first = authorize(session, emulator, auth_request(initiation))
    assert 'name="id_token"' in first.text
    replay = auth_request(initiation)
    fields = _error_form(authorize(session, emulator, replay))
    assert fields == {
        "error": "launch_no_longer_valid",
        "error_description": "The launch has either expired or already been consumed",
        "state": replay["state"],
    }


def test_the_last_failing_check_names_the_error_like_canvas(emulator: LiveEmulator) -> None:
    _, initiation, _ = _start(emulator)
    params = auth_request(initiation, scope="email", nonce=None)
    fields = _error_form(authorize(requests.Session(), emulator, params))
    assert fields["error"] == "login_required"


def test_an_error_does_not_consume_the_launch(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    _error_form(authorize(session, emulator, auth_request(initiation, scope="profile")))
    retry = authorize(session, emulator, auth_request(initiation))
    assert 'name="id_token"' in retry.text


def test_an_unknown_client_id_is_not_found(emulator: LiveEmulator) -> None:
    session, initiation, _ = _start(emulator)
    response = authorize(session, emulator, auth_request(initiation, client_id="10000000009999"))
    assert response.status_code == 404


def test_the_strict_switch_is_reflected_in_options(emulator: LiveEmulator) -> None:
    assert lti_options(emulator.emulator).strict_oidc_params is True
    requests.post(f"{emulator.url}/_emulator/strict_oidc_params", json={"strict": False})
    assert lti_options(emulator.emulator).strict_oidc_params is False


def test_a_bad_redirect_uri_is_found_after_the_launch_is_spent_like_canvas(
    emulator: LiveEmulator,
) -> None:
    session, initiation, _ = _start(emulator)
    wrong = auth_request(initiation, redirect_uri="https://evil.test/steal")
    _bad_request(authorize(session, emulator, wrong), "Invalid redirect_uri")
    fields = _error_form(authorize(session, emulator, auth_request(initiation)))
    assert fields["error"] == "launch_no_longer_valid"
