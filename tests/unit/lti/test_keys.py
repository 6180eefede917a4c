"""Tool keys: first key created on demand, rotation with a grace period, JWKS publishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from flask import Flask
from flask.testing import FlaskClient
from jwcrypto.jwk import JWK

from app.crypto import SecretBox
from app.db import Database
from app.lti import keys
from tests.unit.lti.conftest import Clock

GRACE = timedelta(days=7)


def _kids(client: FlaskClient) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").get_json()["keys"]]


def test_first_key_is_created_when_jwks_is_requested(client: FlaskClient, clock: Clock) -> None:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["keys"]) == 1
    key = body["keys"][0]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert "d" not in key  # never the private part
    assert _kids(client) == [key["kid"]]  # stable across requests


def test_private_key_is_encrypted_and_signs_verifiably(app: Flask) -> None:
    db: Database = app.extensions["db"]
    box: SecretBox = app.extensions["secret_box"]
    now = datetime.now(UTC)
    with db.session() as session:
        key = keys.ensure_active_key(session, box, now)
        assert b"PRIVATE KEY" not in key.private_key_encrypted
        pem = keys.private_pem(key, box)
        token = jwt.encode({"x": 1}, pem, algorithm="RS256", headers={"kid": key.kid})
        public = JWK(**key.public_jwk).export_to_pem()
        assert jwt.decode(token, public, algorithms=["RS256"]) == {"x": 1}


def test_rotation_keeps_old_key_during_grace_then_drops_it(app: Flask) -> None:
    db: Database = app.extensions["db"]
    box: SecretBox = app.extensions["secret_box"]
    t0 = datetime.now(UTC)
    with db.session() as session:
        first = keys.ensure_active_key(session, box, t0).kid
        second = keys.rotate(session, box, t0 + timedelta(days=1), GRACE).kid
        assert keys.active_key(session).kid == second  # type: ignore[union-attr]
        published = keys.published_jwks(session, t0 + timedelta(days=2), GRACE)
        assert [k["kid"] for k in published["keys"]] == [second, first]
        later = t0 + timedelta(days=1) + GRACE + timedelta(seconds=1)
        assert [k["kid"] for k in keys.published_jwks(session, later, GRACE)["keys"]] == [second]
        third = keys.rotate(session, box, later, GRACE).kid
        assert first not in [k.kid for k in keys.all_keys(session)]
        assert [k.kid for k in keys.all_keys(session)] == [second, third]


def test_jwks_endpoint_publishes_keys_in_grace(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    first = _kids(client)[0]
    with app.extensions["db"].session() as session:
        second = keys.rotate(session, app.extensions["secret_box"], clock.now, GRACE).kid
    assert _kids(client) == [second, first]
    clock.advance(GRACE.total_seconds() + 1)
    assert _kids(client) == [second]
