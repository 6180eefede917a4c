"""``flask platforms add|list|remove``, ``keys rotate|list``."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.models import Deployment, Platform, ToolKey

ARGS = [
    "--issuer", "https://canvas.instructure.com",
    "--client-id", "10000000000001",
    "--deployment-id", "6:abc",
    "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "--auth-token-url", "https://sso.canvaslms.com/login/oauth2/token",
    "--key-set-url", "https://sso.canvaslms.com/api/lti/security/jwks",
    "--canvas-url", "https://school.instructure.com/",
    "--api-client-id", "10000000000002",
    "--api-client-secret", "top-secret-value",
]  # fmt: skip


def _with(option: str, value: str) -> list[str]:
    args = list(ARGS)
    args[args.index(option) + 1] = value
    return args


def test_platforms_add_stores_registration_with_encrypted_secret(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["platforms", "add", *ARGS])
    assert result.exit_code == 0, result.output
    assert "Added platform" in result.output
    with app.extensions["db"].session() as session:
        platform = session.scalars(select(Platform)).one()
        assert platform.canvas_url == "https://school.instructure.com"
        assert b"top-secret-value" not in platform.api_client_secret_encrypted
        secret = app.extensions["secret_box"].decrypt(platform.api_client_secret_encrypted)
        assert secret == "top-secret-value"
        assert [d.deployment_id for d in platform.deployments] == ["6:abc"]
        assert session.scalars(select(ToolKey)).first() is not None  # first key created


def test_second_deployment_joins_existing_platform(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["platforms", "add", *ARGS])
    result = runner.invoke(args=["platforms", "add", *_with("--deployment-id", "9:def")])
    assert result.exit_code == 0, result.output
    assert "Updated platform" in result.output
    with app.extensions["db"].session() as session:
        assert len(session.scalars(select(Platform)).all()) == 1
        assert sorted(d.deployment_id for d in session.scalars(select(Deployment))) == [
            "6:abc",
            "9:def",
        ]
    again = runner.invoke(args=["platforms", "add", *ARGS])  # idempotent
    assert again.exit_code == 0


def test_platforms_add_rejects_bad_url(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["platforms", "add", *_with("--key-set-url", "ftp://x")])
    assert result.exit_code != 0
    assert "key_set_url must be an http(s) URL" in result.output


def test_platforms_list_hides_secrets(runner: FlaskCliRunner) -> None:
    assert "No platforms registered" in runner.invoke(args=["platforms", "list"]).output
    runner.invoke(args=["platforms", "add", *ARGS])
    output = runner.invoke(args=["platforms", "list"]).output
    assert "https://canvas.instructure.com" in output
    assert "6:abc" in output
    assert "top-secret-value" not in output


def test_platforms_remove(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["platforms", "add", *ARGS])
    runner.invoke(args=["platforms", "add", *_with("--deployment-id", "9:def")])
    with app.extensions["db"].session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
    result = runner.invoke(
        args=["platforms", "remove", str(platform_id), "--deployment-id", "9:def"]
    )
    assert result.exit_code == 0, result.output
    with app.extensions["db"].session() as session:
        assert [d.deployment_id for d in session.scalars(select(Deployment))] == ["6:abc"]
    assert runner.invoke(args=["platforms", "remove", str(platform_id)]).exit_code == 0
    with app.extensions["db"].session() as session:
        assert session.scalars(select(Platform)).first() is None
        assert session.scalars(select(Deployment)).first() is None
    missing = runner.invoke(args=["platforms", "remove", "999"])
    assert missing.exit_code != 0
    assert "no platform with id 999" in missing.output


def test_keys_rotate_and_list(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["keys", "rotate"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["keys", "rotate"])
    assert "stay published for 7 days" in second.output
    listing = runner.invoke(args=["keys", "list"]).output.strip().splitlines()
    assert len(listing) == 2
    assert listing[0].split("\t")[1].startswith("retired")
    assert listing[1].split("\t")[1] == "active"
    assert "PRIVATE" not in runner.invoke(args=["keys", "list"]).output
