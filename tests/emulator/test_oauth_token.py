"""POST/DELETE /login/oauth2/token (reference 7.2-7.3): success shapes, every error row,
code reuse and expiry, refresh semantics, revocation and the call counter."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
import requests

from emulator.api import throttle
from emulator.oauth.tokens import oauth_stats, revoke_user_tokens
from emulator.testing import LiveEmulator
from tests.emulator.platform_support import REDIRECT_URI, oauth_code, register

TOKEN = re.compile(r"1~[A-Za-z0-9]{64}")


def _token(live: LiveEmulator, **form: str) -> requests.Response:
    return requests.post(f"{live.url}/login/oauth2/token", data=form)


def _code_form(reg: dict[str, str], code: str, **changes: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "client_id": reg["api_client_id"],
        "client_secret": reg["api_client_secret"],
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    form.update(changes)
    return form


def _tokens(live: LiveEmulator, reg: dict[str, str], user_id: int = 3) -> dict[str, Any]:
    response = _token(live, **_code_form(reg, oauth_code(live, reg, user_id)))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _refresh(live: LiveEmulator, reg: dict[str, str], refresh_token: str) -> requests.Response:
    return _token(
        live,
        grant_type="refresh_token",
        client_id=reg["api_client_id"],
        client_secret=reg["api_client_secret"],
        refresh_token=refresh_token,
    )


def _error(response: requests.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}


def test_a_code_buys_the_exact_token_response(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    body = _tokens(emulator, reg)
    assert set(body) == {
        "access_token", "token_type", "user", "canvas_region", "refresh_token", "expires_in",
    }  # fmt: skip
    assert TOKEN.fullmatch(body["access_token"])
    assert TOKEN.fullmatch(body["refresh_token"])
    assert body["token_type"] == "Bearer"
    assert body["user"] == {
        "id": 3, "name": "Tina Teacher", "global_id": "10000000000003", "effective_locale": "en",
    }  # fmt: skip
    assert body["canvas_region"] == "unknown"
    assert body["expires_in"] == 3600
    stored = emulator.emulator.store.access_tokens[body["access_token"]]
    assert stored.user_id == 3
    assert stored.revoked is False
    assert stored.expires_at is not None
    assert (stored.expires_at - stored.created_at).total_seconds() == 3600


def test_expires_in_follows_the_settings(emulator: LiveEmulator) -> None:
    emulator.emulator.settings.token_ttl_seconds = 60
    reg = register(emulator)
    body = _tokens(emulator, reg)
    assert body["expires_in"] == 60
    stored = emulator.emulator.store.access_tokens[body["access_token"]]
    assert stored.expires_at is not None
    assert (stored.expires_at - stored.created_at).total_seconds() == 60


def test_the_granted_scopes_are_kept_on_the_token(emulator: LiveEmulator) -> None:
    scope = "url:GET|/api/v1/users/:id"
    reg = register(emulator, require_scopes=True, scopes=[scope])
    code = oauth_code(emulator, reg, scope=scope)
    body = _token(emulator, **_code_form(reg, code)).json()
    assert emulator.emulator.store.access_tokens[body["access_token"]].scopes == [scope]


def test_http_basic_client_authentication_works(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    code = oauth_code(emulator, reg)
    basic = base64.b64encode(f"{reg['api_client_id']}:{reg['api_client_secret']}".encode()).decode()
    response = requests.post(
        f"{emulator.url}/login/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_an_unknown_client_is_401_with_www_authenticate(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    response = _token(emulator, **_code_form(reg, "x", client_id="10000000009999"))
    _error(response, 401, "invalid_client", "unknown client")
    assert response.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"


def test_a_wrong_secret_is_401(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    response = _token(emulator, **_code_form(reg, "x", client_secret="wrong"))
    _error(response, 401, "invalid_client", "invalid client")


def test_a_foreign_redirect_uri_is_400(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    code = oauth_code(emulator, reg)
    response = _token(emulator, **_code_form(reg, code, redirect_uri="https://evil.test/cb"))
    _error(response, 400, "invalid_request", "redirect_uri does not match client settings")


def test_a_missing_code_is_400(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    form = _code_form(reg, "")
    _error(
        _token(emulator, **form),
        400,
        "invalid_request",
        "You must provide the code parameter when using the authorization_code grant type",
    )


def test_a_code_works_once(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    code = oauth_code(emulator, reg)
    assert _token(emulator, **_code_form(reg, code)).status_code == 200
    _error(
        _token(emulator, **_code_form(reg, code)),
        400,
        "invalid_grant",
        "authorization_code not found",
    )


def test_a_code_expires_after_ten_minutes(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    emulator.emulator.store.clock.freeze()
    code = oauth_code(emulator, reg)
    emulator.emulator.store.clock.advance(599)
    fresh = oauth_code(emulator, reg)
    emulator.emulator.store.clock.advance(2)
    _error(
        _token(emulator, **_code_form(reg, code)),
        400,
        "invalid_grant",
        "authorization_code not found",
    )
    assert _token(emulator, **_code_form(reg, fresh)).status_code == 200


def test_an_unknown_code_is_invalid_grant(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    _error(
        _token(emulator, **_code_form(reg, "f" * 128)),
        400,
        "invalid_grant",
        "authorization_code not found",
    )


def test_a_code_of_another_client_is_incorrect_client(emulator: LiveEmulator) -> None:
    first, second = register(emulator), register(emulator)
    code = oauth_code(emulator, first)
    _error(_token(emulator, **_code_form(second, code)), 400, "invalid_grant", "incorrect client")


def test_missing_and_unknown_refresh_tokens(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    _error(
        _refresh(emulator, reg, ""),
        400,
        "invalid_request",
        "You must provide the refresh_token parameter when using the refresh_token grant type",
    )
    _error(_refresh(emulator, reg, "1~nope"), 400, "invalid_request", "refresh_token not found")


def test_a_refresh_token_of_another_client_is_refused(emulator: LiveEmulator) -> None:
    first, second = register(emulator), register(emulator)
    body = _tokens(emulator, first)
    _error(
        _refresh(emulator, second, body["refresh_token"]), 400, "invalid_grant", "incorrect client"
    )


@pytest.mark.parametrize("grant_type", ["client_credentials", "password", ""])
def test_other_grant_types_are_unsupported(emulator: LiveEmulator, grant_type: str) -> None:
    reg = register(emulator)
    form = _code_form(reg, "", grant_type=grant_type)
    del form["code"]
    _error(
        _token(emulator, **form),
        400,
        "unsupported_grant_type",
        "The grant_type you requested is not currently supported",
    )


def test_refresh_reuses_within_five_seconds_then_replaces(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    store = emulator.emulator.store
    store.clock.freeze()
    first = _tokens(emulator, reg)
    refreshed = _refresh(emulator, reg, first["refresh_token"])
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert "refresh_token" not in body
    assert set(body) == {"access_token", "token_type", "user", "canvas_region", "expires_in"}
    second = body["access_token"]
    assert second != first["access_token"]
    assert store.access_tokens[first["access_token"]].revoked is True
    store.clock.advance(4.9)
    assert _refresh(emulator, reg, first["refresh_token"]).json()["access_token"] == second
    store.clock.advance(0.2)
    third = _refresh(emulator, reg, first["refresh_token"]).json()["access_token"]
    assert third not in (first["access_token"], second)
    assert store.access_tokens[second].revoked is True
    assert store.access_tokens[third].revoked is False


def test_an_expired_access_token_can_still_be_refreshed(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    first = _tokens(emulator, reg)
    emulator.emulator.store.clock.advance(3601)
    response = _refresh(emulator, reg, first["refresh_token"])
    assert response.status_code == 200
    token = emulator.emulator.store.access_tokens[response.json()["access_token"]]
    assert token.expires_at is not None
    assert token.expires_at > emulator.emulator.store.now()


def test_replace_tokens_revokes_the_users_other_tokens_for_the_key(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    first = _tokens(emulator, reg)
    code = oauth_code(emulator, reg)
    response = _token(emulator, **_code_form(reg, code, replace_tokens="1"))
    assert response.status_code == 200
    tokens = emulator.emulator.store.access_tokens
    assert tokens[first["access_token"]].revoked is True
    assert tokens[response.json()["access_token"]].revoked is False
    assert oauth_stats(emulator.emulator)["replace_tokens"] == 1  # tests of the tool read it


def test_delete_revokes_only_the_presented_token(emulator: LiveEmulator) -> None:
    """``OAuth2ProviderController#destroy`` destroys ``@access_token`` alone: the user's other
    tokens for the same key (another device, or the one the tool keeps) go on working."""
    reg = register(emulator)
    kept, dropped = _tokens(emulator, reg), _tokens(emulator, reg)
    refreshed = _refresh(emulator, reg, dropped["refresh_token"])  # a refresh's new record
    response = requests.delete(
        f"{emulator.url}/login/oauth2/token",
        headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"},
    )
    assert response.status_code == 200
    tokens = emulator.emulator.store.access_tokens
    assert all(t.revoked for t in tokens.values() if t.refresh_token == dropped["refresh_token"])
    assert tokens[kept["access_token"]].revoked is False
    assert _refresh(emulator, reg, kept["refresh_token"]).status_code == 200
    assert oauth_stats(emulator.emulator)["replace_tokens"] == 0


def test_delete_revokes_the_access_and_refresh_token(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    body = _tokens(emulator, reg)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    response = requests.delete(f"{emulator.url}/login/oauth2/token", headers=headers)
    assert response.status_code == 200
    assert response.json() == {}
    assert emulator.emulator.store.access_tokens[body["access_token"]].revoked is True
    _error(
        _refresh(emulator, reg, body["refresh_token"]),
        400,
        "invalid_request",
        "refresh_token not found",
    )
    again = requests.delete(f"{emulator.url}/login/oauth2/token", headers=headers)
    assert again.status_code == 401
    assert again.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'
    assert again.json() == {"errors": [{"message": "Invalid access token."}]}


def test_delete_without_a_token_is_400(emulator: LiveEmulator) -> None:
    response = requests.delete(f"{emulator.url}/login/oauth2/token")
    assert response.status_code == 400
    assert response.json() == {
        "message": "can't delete OAuth access token when not using an OAuth access token"
    }


def test_revoking_a_users_tokens_by_python_and_http(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    mine = [_tokens(emulator, reg, 3)["access_token"] for _ in range(2)]
    theirs = _tokens(emulator, reg, 4)["access_token"]
    tokens = emulator.emulator.store.access_tokens
    response = requests.post(f"{emulator.url}/_emulator/users/3/revoke_tokens")
    assert response.json() == {"revoked": 2}
    assert all(tokens[t].revoked for t in mine)
    assert tokens[theirs].revoked is False
    assert revoke_user_tokens(emulator.emulator, 4) == 1
    assert requests.post(f"{emulator.url}/_emulator/users/999999/revoke_tokens").status_code == 404


def test_token_calls_are_counted_per_grant_type(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    body = _tokens(emulator, reg)
    for _ in range(3):
        _refresh(emulator, reg, body["refresh_token"])
    _token(emulator, grant_type="password")
    stats = oauth_stats(emulator.emulator)
    assert stats["authorization_code"] == 1
    assert stats["refresh_token"] == 3
    assert stats["password"] == 1
    assert emulator.emulator.parts["oauth_stats"] is stats


def test_delete_with_an_expired_token_says_so(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    body = _tokens(emulator, reg)
    emulator.emulator.store.clock.advance(3601)
    response = requests.delete(
        f"{emulator.url}/login/oauth2/token",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Expired access token."}]}


def test_each_token_request_costs_200_throttle_units(emulator: LiveEmulator) -> None:
    reg = register(emulator)
    emulator.emulator.store.clock.freeze()
    body = _tokens(emulator, reg)
    hwm = emulator.emulator.settings.throttle_hwm
    assert throttle.remaining(emulator.emulator, body["access_token"]) == hwm - 200
    _refresh(emulator, reg, body["refresh_token"])
    emulator.emulator.store.clock.advance(1)
    again = _refresh(emulator, reg, body["refresh_token"]).json()["access_token"]
    assert throttle.remaining(emulator.emulator, again) == hwm - 400 + 10  # one second leaked
