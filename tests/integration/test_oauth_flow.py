"""The authorization round trip against the live emulator's OAuth2 provider."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.canvas.errors import CanvasAuthorizationRequired
from app.models.canvas_token import OAuthState
from tests.integration.oauth_harness import (  # noqa: F401 - the fixture
    CanvasWorld,
    canvas_world_fixture,
    query_of,
)

TINA, TOM = 3, 4


def test_authorize_redirects_to_canvas_with_state_and_scopes(canvas: CanvasWorld) -> None:
    url = canvas.start(canvas.launch(TINA))
    query = query_of(url)
    assert query["client_id"] == [canvas.registration["api_client_id"]]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/oauth/callback"]
    assert query["scope"] == [" ".join(canvas.settings.canvas_scopes)]
    assert len(query["state"][0]) >= 32


def test_each_authorize_gets_a_fresh_state(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    assert query_of(canvas.start(launch))["state"] != query_of(canvas.start(launch))["state"]


def test_authorize_needs_a_launch_token(canvas: CanvasWorld) -> None:
    assert canvas.app.test_client().get("/oauth/authorize").status_code == 403
    assert canvas.app.test_client().get("/oauth/authorize?lt=forged").status_code == 403


def test_full_round_trip_stores_an_encrypted_token_and_closes_the_popup(
    canvas: CanvasWorld,
) -> None:
    result = canvas.authorize(canvas.launch(TINA))
    page = result.get_data(as_text=True)
    assert result.status_code == 200
    assert 'data-oauth-result="connected"' in page
    assert "js/oauth.js" in page
    stored = canvas.stored(TINA)
    assert stored is not None
    assert stored.refresh_token
    assert stored.expires_at == canvas.now() + timedelta(seconds=3600)
    assert stored.access_token not in page
    with canvas.db.engine.connect() as connection:
        raw = connection.exec_driver_sql(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM canvas_token"
        ).one()
    assert stored.access_token.encode() not in raw[0]
    assert stored.refresh_token.encode() not in raw[1]
    assert canvas.client(TINA).get_self().id == TINA


def test_status_reports_connection_without_the_token(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    http = canvas.app.test_client()
    headers = {"Authorization": f"Bearer {launch.token}"}
    assert http.get("/oauth/status", headers=headers).get_json()["connected"] is False
    canvas.authorize(launch)
    body = http.get("/oauth/status", headers=headers).get_data(as_text=True)
    stored = canvas.stored(TINA)
    assert stored is not None
    assert '"connected":true' in body.replace(" ", "")
    assert stored.access_token not in body
    assert stored.refresh_token is not None
    assert stored.refresh_token not in body


def test_consent_denied_shows_a_clear_page_and_stores_nothing(canvas: CanvasWorld) -> None:
    result = canvas.authorize(canvas.launch(TINA), decision="cancel")
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert 'data-reason="access_denied"' in page
    assert "You chose not to authorize" in page
    assert canvas.stored(TINA) is None


def test_a_reused_state_is_refused(canvas: CanvasWorld) -> None:
    url = canvas.start(canvas.launch(TINA))
    callback = canvas.consent(url, as_user=TINA)
    assert canvas.callback(callback).status_code == 200
    replay = canvas.callback(callback)
    assert replay.status_code == 400
    assert 'data-reason="state_used"' in replay.get_data(as_text=True)


def test_a_forged_state_is_refused_before_any_token_call(canvas: CanvasWorld) -> None:
    url = canvas.start(canvas.launch(TINA))
    callback = canvas.consent(url, as_user=TINA)
    code = query_of(callback)["code"][0]
    before = canvas.oauth_stats()
    forged = canvas.app.test_client().get(f"/oauth/callback?code={code}&state=made-up")
    assert forged.status_code == 400
    assert 'data-reason="state_unknown"' in forged.get_data(as_text=True)
    missing = canvas.app.test_client().get(f"/oauth/callback?code={code}")
    assert 'data-reason="state_unknown"' in missing.get_data(as_text=True)
    assert canvas.oauth_stats() == before
    assert canvas.stored(TINA) is None


def test_an_expired_state_is_refused(canvas: CanvasWorld) -> None:
    url = canvas.start(canvas.launch(TINA))
    callback = canvas.consent(url, as_user=TINA)
    canvas.advance(11 * 60)
    result = canvas.callback(callback)
    assert result.status_code == 400
    assert 'data-reason="state_expired"' in result.get_data(as_text=True)
    assert canvas.stored(TINA) is None


def test_a_token_for_another_user_is_refused_discarded_and_revoked(canvas: CanvasWorld) -> None:
    result = canvas.authorize(canvas.launch(TINA), as_user=TOM)
    assert result.status_code == 400
    assert 'data-reason="wrong_user"' in result.get_data(as_text=True)
    assert canvas.stored(TINA) is None
    assert canvas.stored(TOM) is None
    toms = canvas.emulator_tokens(TOM)
    assert toms
    assert all(token.revoked for token in toms)


def test_a_code_canvas_refuses_shows_the_token_error(canvas: CanvasWorld) -> None:
    url = canvas.start(canvas.launch(TINA))
    callback = canvas.consent(url, as_user=TINA)
    tampered = callback.replace("code=", "code=0")
    result = canvas.callback(tampered)
    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert 'data-reason="token_error"' in page
    assert "authorization_code not found" in page


def test_invalid_scope_from_a_scoped_key_is_explained(canvas: CanvasWorld) -> None:
    canvas.scope_api_key(["url:GET|/api/v1/users/:id"])
    result = canvas.authorize(canvas.launch(TINA))
    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert 'data-reason="invalid_scope"' in page
    assert "developer key" in page


def test_scoped_key_with_our_scopes_authorizes(canvas: CanvasWorld) -> None:
    canvas.scope_api_key(list(canvas.settings.canvas_scopes))
    assert canvas.authorize(canvas.launch(TINA)).status_code == 200
    assert [q.id for q in canvas.client(TINA).list_quizzes(101)][:1] == [201]


def test_disconnect_deletes_our_token_and_revokes_it_at_canvas(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    stored = canvas.stored(TINA)
    assert stored is not None
    response = canvas.app.test_client().post(
        "/oauth/disconnect",
        headers={"Authorization": f"Bearer {launch.token}", "Accept": "application/json"},
    )
    assert response.get_json() == {"connected": False, "disconnected": True}
    assert canvas.stored(TINA) is None
    emulator_token = canvas.live.emulator.store.access_tokens.get(stored.access_token)
    assert emulator_token is not None
    assert emulator_token.revoked
    with pytest.raises(CanvasAuthorizationRequired):
        canvas.client(TINA)


def test_disconnect_revokes_even_an_expired_access_token(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    canvas.advance(2 * 3600)
    response = canvas.app.test_client().post("/oauth/disconnect", data={"lt": launch.token})
    assert response.status_code == 200
    assert 'data-oauth-result="disconnected"' in response.get_data(as_text=True)
    live = [t for t in canvas.emulator_tokens(TINA) if not t.revoked]
    assert live == []


def test_disconnect_refuses_a_launch_token_in_the_query_string(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    response = canvas.app.test_client().post(f"/oauth/disconnect?lt={launch.token}")
    assert response.status_code == 403
    assert canvas.stored(TINA) is not None


def test_tokens_never_reach_the_logs(canvas: CanvasWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    client = canvas.client(TINA)
    client.get_self()
    canvas.advance(3700)
    client.get_self()  # refreshes
    stored = canvas.stored(TINA)
    assert stored is not None
    secrets_seen = [stored.access_token, stored.refresh_token or "-", launch.token]
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    for secret in secrets_seen:
        assert secret not in logged


def test_abandoned_states_are_cleaned_up(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    for _ in range(3):
        canvas.start(launch)
    canvas.advance(25 * 60)
    canvas.start(launch)
    with canvas.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OAuthState)) == 1


def test_authorizing_again_replaces_the_older_canvas_token(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    first = canvas.stored(TINA)
    canvas.authorize(launch)
    second = canvas.stored(TINA)
    assert first is not None
    assert second is not None
    assert second.access_token != first.access_token
    live = [t.token for t in canvas.emulator_tokens(TINA) if not t.revoked]
    assert live == [second.access_token]
