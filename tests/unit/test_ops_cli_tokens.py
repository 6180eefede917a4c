"""``flask --app app tokens revoke-all``: forget a platform's tokens, revoke them at Canvas."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.canvas.oauth import TokenGrant
from app.canvas.token_store import TokenStore
from app.db import Database
from app.models import CanvasToken, Platform
from emulator.oauth.tokens import active_token, find_api_key, issue_code, redeem_code
from emulator.store import AccessToken
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import register
from tests.support import factories


def _mint(emulator: LiveEmulator, api_client_id: str, user_id: int) -> AccessToken:
    emu = emulator.emulator
    key = find_api_key(emu, api_client_id)
    assert key is not None
    user = emu.store.users[user_id]
    code = issue_code(emu, key, user, "http://127.0.0.1:5000/oauth/callback", [])
    return redeem_code(emu, key, code)


def test_revoke_all_forgets_and_revokes_every_token(
    app: Flask, runner: FlaskCliRunner, emulator: LiveEmulator
) -> None:
    registration = register(app, emulator)
    db: Database = app.extensions["db"]
    box = app.extensions["secret_box"]
    now = emulator.emulator.store.now()
    live = _mint(emulator, registration["api_client_id"], 3)
    expired = _mint(emulator, registration["api_client_id"], 4)
    expired.expires_at = now - timedelta(minutes=1)  # Canvas refuses to revoke it as it is
    with db.session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
        for user, token in ((3, live), (4, expired)):
            factories.canvas_token(session, box, platform_id=platform_id, canvas_user_id=user,
                                   access_token=token.token, refresh_token=token.refresh_token,
                                   expires_at=token.expires_at)
        factories.canvas_token(session, box, platform_id=platform_id, canvas_user_id=5,
                               access_token="1~unknown-to-canvas", refresh_token=None)

    result = runner.invoke(args=["tokens", "revoke-all", "--platform", str(platform_id)])

    assert result.exit_code == 0, result.output
    assert f"Deleted 3 token(s) of platform {platform_id}" in result.output
    assert "Canvas confirmed 2 revocation(s)" in result.output
    assert "user(s) 5" in result.output
    with db.session() as session:
        assert session.scalars(select(CanvasToken)).all() == []
    emu = emulator.emulator
    assert active_token(emu, live.token) is None
    # The expired token's refresh token was exchanged and the result revoked: the pair is dead.
    assert all(
        token.revoked
        for token in emu.store.access_tokens.values()
        if token.refresh_token in {live.refresh_token, expired.refresh_token}
    )


def test_revoke_all_unknown_platform(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tokens", "revoke-all", "--platform", "99"])
    assert result.exit_code == 1
    assert "No platform with id 99" in result.output


def test_revoke_all_tolerates_canvas_down(
    app: Flask, runner: FlaskCliRunner, emulator: LiveEmulator
) -> None:
    register(app, emulator)
    db: Database = app.extensions["db"]
    with db.session() as session:
        platform = session.scalars(select(Platform)).one()
        platform.canvas_url = "http://127.0.0.1:9"  # nothing listens there
        factories.canvas_token(session, app.extensions["secret_box"], platform_id=platform.id,
                               canvas_user_id=3, access_token="1~abc", refresh_token="1~def")
        platform_id = platform.id
    result = runner.invoke(args=["tokens", "revoke-all", "--platform", str(platform_id)])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 token(s)" in result.output
    assert "Canvas confirmed 0 revocation(s)" in result.output
    with db.session() as session:
        assert session.scalars(select(CanvasToken)).all() == []


def test_users_forget_revokes_and_deletes_one_user(
    app: Flask, runner: FlaskCliRunner, emulator: LiveEmulator
) -> None:
    registration = register(app, emulator)
    db: Database = app.extensions["db"]
    box = app.extensions["secret_box"]
    minted = {user: _mint(emulator, registration["api_client_id"], user) for user in (3, 4)}
    with db.session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
        for user, token in minted.items():
            TokenStore(session, box).save(
                platform_id, user, TokenGrant(token.token, token.refresh_token, None, user, "")
            )

    refused = runner.invoke(args=["users", "forget", "--platform", str(platform_id),
                                  "--user", "3"], input="n\n")  # fmt: skip
    assert refused.exit_code == 1
    assert "Aborted" in refused.output
    result = runner.invoke(
        args=["users", "forget", "--platform", str(platform_id), "--user", "3", "--yes"]
    )

    assert result.exit_code == 0, result.output
    assert "Forgot Canvas user 3: 1 token(s) deleted (revoked in Canvas)" in result.output
    assert active_token(emulator.emulator, minted[3].token) is None
    assert active_token(emulator.emulator, minted[4].token) is not None
    with db.session() as session:
        assert session.scalars(select(CanvasToken.canvas_user_id)).all() == [4]


def test_users_forget_unknown_platform(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "forget", "--platform", "99", "--user", "3", "--yes"])
    assert result.exit_code == 1
    assert "No platform with id 99" in result.output
