"""Token endpoint answers Canvas may give, through Authlib, with a requests-level fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from app.canvas.errors import CanvasOAuthError, CanvasUnavailable
from app.canvas.oauth import CanvasOAuth, OAuthConfig, TokenGrant, is_revoked_grant
from tests.unit.canvas.conftest import BASE, UA
from tests.unit.canvas.fakes import Answer, FakeCanvas

TOKEN_URL = f"{BASE}/login/oauth2/token"
NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
GRANT = {
    "access_token": "7~access",
    "token_type": "Bearer",
    "user": {"id": 3, "name": "Tina Teacher", "global_id": "10000000000003"},
    "refresh_token": "7~refresh",
    "expires_in": 3600,
}


@pytest.fixture
def oauth(fake: FakeCanvas) -> CanvasOAuth:
    config = OAuthConfig(
        canvas_url=BASE,
        client_id="10000000000002",
        client_secret="shh",
        redirect_uri="https://tool.test/oauth/callback",
        scopes=("url:GET|/api/v1/users/:id", "url:GET|/api/v1/progress/:id"),
        user_agent=UA,
    )
    return CanvasOAuth(config, session_factory=fake.session, now=lambda: NOW)


def test_authorization_url_carries_every_parameter(oauth: CanvasOAuth) -> None:
    url = oauth.authorization_url("s-1")
    assert url.startswith(f"{BASE}/login/oauth2/auth?")
    assert "client_id=10000000000002" in url
    assert "response_type=code" in url
    assert "redirect_uri=https%3A%2F%2Ftool.test%2Foauth%2Fcallback" in url
    assert "state=s-1" in url
    assert (
        "scope=url%3AGET%7C%2Fapi%2Fv1%2Fusers%2F%3Aid+url%3AGET%7C%2Fapi%2Fv1%2Fprogress%2F%3Aid"
        in url
    )


def test_exchange_code_posts_the_form_canvas_expects(oauth: CanvasOAuth, fake: FakeCanvas) -> None:
    fake.script("POST", TOKEN_URL, Answer(200, GRANT))
    grant = oauth.exchange_code("abc")
    assert grant.canvas_user_id == 3
    assert grant.expires_at == NOW + timedelta(hours=1)
    (sent,) = fake.sent
    form = (sent.body or b"").decode()
    for field in (
        "grant_type=authorization_code",
        "code=abc",
        "client_secret=shh",
        "client_id=10000000000002",
    ):
        assert field in form
    assert "replace_tokens" not in form  # it would revoke the code owner's tokens first
    assert sent.headers["User-Agent"] == UA


def test_refresh_reports_no_new_refresh_token(oauth: CanvasOAuth, fake: FakeCanvas) -> None:
    answer = {k: v for k, v in GRANT.items() if k != "refresh_token"}
    fake.script("POST", TOKEN_URL, Answer(200, answer))
    grant = oauth.refresh("7~refresh")
    assert grant.refresh_token is None
    assert "grant_type=refresh_token" in (fake.sent[0].body or b"").decode()


@pytest.mark.parametrize(
    ("status", "body", "revoked"),
    [
        (400, {"error": "invalid_request", "error_description": "refresh_token not found"}, True),
        (400, {"error": "invalid_grant", "error_description": "incorrect client"}, True),
        (401, {"error": "invalid_client", "error_description": "invalid client"}, False),
    ],
)
def test_refused_grants_become_oauth_errors(
    oauth: CanvasOAuth, fake: FakeCanvas, status: int, body: dict[str, str], revoked: bool
) -> None:
    fake.script("POST", TOKEN_URL, Answer(status, body))
    with pytest.raises(CanvasOAuthError) as caught:
        oauth.refresh("r")
    assert caught.value.error == body["error"]
    assert body["error_description"] in caught.value.message
    assert is_revoked_grant(caught.value) is revoked


@pytest.mark.parametrize(
    "answer",
    [
        Answer(302, "", {"Location": "https://tool.test/oauth/callback?error=invalid_grant"}),
        Answer(200, "<html>maintenance</html>"),
        Answer(503, "busy"),
        Answer(200, {"token_type": "Bearer"}),
        Answer(raises=requests.ConnectTimeout("slow")),
    ],
)
def test_unusable_token_answers_are_canvas_unavailable(
    oauth: CanvasOAuth, fake: FakeCanvas, answer: Answer
) -> None:
    fake.script("POST", TOKEN_URL, answer)
    with pytest.raises(CanvasUnavailable):
        oauth.exchange_code("abc")
    assert len(fake.sent) == 1  # a redirect (legacy Canvas) is not followed


def test_revoke_sends_the_token_as_bearer(oauth: CanvasOAuth, fake: FakeCanvas) -> None:
    fake.script("DELETE", TOKEN_URL, Answer(200, {}))
    assert oauth.revoke("7~access") is True
    assert fake.sent[0].headers["Authorization"] == "Bearer 7~access"


def test_grants_hide_tokens_from_repr() -> None:
    grant = TokenGrant("7~secret-access", "7~secret-refresh", NOW, 3, "")
    assert "secret" not in repr(grant)
    assert "secret" not in str(grant)
