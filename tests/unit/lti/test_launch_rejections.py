"""Every bad launch gets a clear 4xx page and changes nothing (no Launch, no spent nonce)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock, Snapshot
from tests.unit.lti.fakes import CLAIM, DROP

Build = Callable[[fakes.FakeCanvas, str], str]


def _claims(**overrides: Any) -> Build:
    return lambda canvas, nonce: canvas.sign(canvas.claims(nonce, **overrides))


def _other_key_same_kid(canvas: fakes.FakeCanvas, nonce: str) -> str:
    pem, _ = fakes.cached_rsa(1)
    return jwt.encode(canvas.claims(nonce), pem, algorithm="RS256", headers={"kid": canvas.kid})


def _unknown_kid(canvas: fakes.FakeCanvas, nonce: str) -> str:
    pem, _ = fakes.cached_rsa(1)
    return jwt.encode(canvas.claims(nonce), pem, algorithm="RS256", headers={"kid": "nope"})


def _hs256(canvas: fakes.FakeCanvas, nonce: str) -> str:
    return jwt.encode(
        canvas.claims(nonce), "k" * 32, algorithm="HS256", headers={"kid": canvas.kid}
    )


def _unsigned(canvas: fakes.FakeCanvas, nonce: str) -> str:
    return jwt.encode(canvas.claims(nonce), "", algorithm="none", headers={"kid": canvas.kid})


def _tampered(canvas: fakes.FakeCanvas, nonce: str) -> str:
    header, _, signature = canvas.sign(canvas.claims(nonce)).split(".")
    other = canvas.sign(canvas.claims(nonce, sub="someone-else")).split(".")[1]
    return f"{header}.{other}.{signature}"


def _future(canvas: fakes.FakeCanvas, nonce: str) -> str:
    body = canvas.claims(nonce)
    body["iat"] += 120
    return canvas.sign(body)


def _expired(canvas: fakes.FakeCanvas, nonce: str) -> str:
    body = canvas.claims(nonce)
    body["exp"] = body["iat"] - 60
    return canvas.sign(body)


CASES: dict[str, tuple[Build, str]] = {
    "bad signature": (_other_key_same_kid, "signature is not valid"),
    "tampered payload": (_tampered, "signature is not valid"),
    "unknown kid": (_unknown_kid, "unknown kid"),
    "hs256": (_hs256, "not signed with RS256"),
    "alg none": (_unsigned, "not signed with RS256"),
    "wrong iss": (_claims(iss="https://evil.example"), "wrong iss or aud"),
    "wrong aud": (_claims(aud="999"), "wrong iss or aud"),
    "aud list without azp": (
        _claims(aud=[fakes.CLIENT_ID, "other"], azp=DROP),
        "azp is not this tool",
    ),
    "wrong azp": (_claims(azp="other"), "azp"),
    "unknown deployment": (_claims(**{CLAIM + "deployment_id": "7:zzz"}), "deployment"),
    "expired": (_expired, "expired"),
    "issued in the future": (_future, "in the future"),
    "missing sub": (_claims(sub=DROP), "sub"),
    "missing exp": (_claims(exp=DROP), "exp"),
    "missing roles": (_claims(**{CLAIM + "roles": DROP}), "roles"),
    "missing resource link": (_claims(**{CLAIM + "resource_link": {}}), "resource_link.id"),
    "missing deployment id": (_claims(**{CLAIM + "deployment_id": DROP}), "deployment_id"),
    "deep linking message": (
        _claims(**{CLAIM + "message_type": "LtiDeepLinkingRequest"}),
        "only accepts resource link launches",
    ),
    "wrong version": (_claims(**{CLAIM + "version": "1.1"}), "not LTI version 1.3.0"),
    "foreign target link": (
        _claims(**{CLAIM + "target_link_uri": "https://evil.example/lti/launch"}),
        "target_link_uri",
    ),
    "malformed jwt": (lambda _canvas, _nonce: "not.a.jwt", "malformed"),
    "two-part jwt": (lambda _canvas, _nonce: "abc.def", "malformed"),
    "oversized id_token": (lambda _canvas, _nonce: "a" * 70_000, "too long"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_launch_is_rejected_and_stores_nothing(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot, case: str
) -> None:
    build, message = CASES[case]
    state, nonce, _ = fakes.login(client)
    before = snapshot()
    response = client.post("/lti/launch", data={"id_token": build(canvas, nonce), "state": state})
    assert response.status_code == 400, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert message in html
    assert 'role="alert"' in html
    assert snapshot() == before


def test_unknown_state_is_rejected(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    _, nonce, _ = fakes.login(client)
    before = snapshot()
    response = client.post(
        "/lti/launch",
        data={"id_token": canvas.sign(canvas.claims(nonce)), "state": "state-forged"},
    )
    assert response.status_code == 400
    assert "does not match a login started by this tool" in response.get_data(as_text=True)
    assert snapshot() == before


def test_missing_state_is_rejected(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    _, nonce, _ = fakes.login(client)
    response = client.post("/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce))})
    assert response.status_code == 400
    assert "no state" in response.get_data(as_text=True)


def test_state_of_another_login_is_rejected(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    """The state cookie of login A with the id_token (nonce) of login B."""
    state_a, _, _ = fakes.login(client)
    _, nonce_b, _ = fakes.login(client)
    before = snapshot()
    response = client.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce_b)), "state": state_a}
    )
    assert response.status_code == 400
    assert "nonce was not issued with this login" in response.get_data(as_text=True)
    assert snapshot() == before


def test_replayed_launch_is_rejected(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, nonce, _ = fakes.login(client)
    data = {"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    assert client.post("/lti/launch", data=data).status_code == 303
    before = snapshot()
    again = client.post("/lti/launch", data=data)
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    assert snapshot() == before


def test_reused_nonce_with_a_fresh_state_is_rejected(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce))
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 303
    fresh_state, _, _ = fakes.login(client)
    before = snapshot()
    response = client.post("/lti/launch", data={"id_token": token, "state": fresh_state})
    assert response.status_code == 400
    assert "nonce" in response.get_data(as_text=True)
    assert snapshot() == before


def test_canvas_error_post_shows_friendly_page(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, _, _ = fakes.login(client)
    before = snapshot()
    response = client.post(
        "/lti/launch",
        data={
            "error": "login_required",
            "error_description": "Must have an active user session",
            "state": state,
        },
    )
    assert response.status_code == 400
    assert "Log in to Canvas again" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ("unauthorized_client", "not enabled for your Canvas account"),
        ("launch_no_longer_valid", "The launch expired"),
        ("invalid_request_object", "rejected the tool"),
        ("something_new", "Canvas refused the launch: something_new"),
    ],
)
def test_each_canvas_error_has_a_message(
    client: FlaskClient, canvas: fakes.FakeCanvas, error: str, text: str
) -> None:
    response = client.post("/lti/launch", data={"error": error, "state": "s"})
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


def test_request_larger_than_limit_gets_413(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    response = client.post("/lti/launch", data={"id_token": "a" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_student_gets_friendly_refusal_and_nothing_is_stored(
    client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, nonce, _ = fakes.login(client)
    before = snapshot()
    body = canvas.claims(
        nonce,
        **{
            CLAIM + "roles": fakes.STUDENT,
            CLAIM + "custom": {
                "canvas_course_id": "101",
                "canvas_membership_roles": "StudentEnrollment",
            },
        },
    )
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 403
    assert "Reports are for teachers" in response.get_data(as_text=True)
    assert snapshot() == before


def test_clock_leeway_accepts_small_skew(
    client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce)
    body["iat"] = int(clock.now.timestamp()) + 5  # Canvas's clock is 5 s ahead; leeway is 10
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 303


def test_clock_leeway_accepts_just_expired_token(
    client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce)
    body["exp"] = int(clock.now.timestamp()) - 5
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 303


def test_clock_beyond_leeway_rejects(
    client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce)
    clock.advance(3600 + 11)  # the tool's clock is now past exp + leeway
    body["exp"] = body["iat"] + 3600
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "999"}, "not registered with the tool"),
        ({"iss": "https://evil.example"}, "not registered with the tool"),
        ({"client_id": ""}, "no client_id"),
        ({"iss": ""}, "no issuer"),
        ({"login_hint": ""}, "no login_hint"),
        ({"target_link_uri": "https://evil.example/lti/launch"}, "not this tool"),
        ({"lti_message_hint": "x" * 5000}, "too long"),
    ],
)
def test_bad_login_is_rejected_and_stores_nothing(
    client: FlaskClient,
    canvas: fakes.FakeCanvas,
    snapshot: Snapshot,
    change: dict[str, str],
    message: str,
) -> None:
    before = snapshot()
    _, _, response = fakes.login(client, **change)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert snapshot() == before
