"""The invalid-launch matrix, after the 1EdTech LTI 1.3 certification's tool tests.

Each case logs in for real through the emulator (a genuine state, nonce and id_token), then
posts a launch with one thing wrong. Every case must answer 4xx with a message that names
the problem, and leave the database exactly as it was after the login: no Launch row, no
consumed state or nonce, no other row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask

from emulator.lti.keys import platform_keys
from emulator.testing import LiveEmulator
from tests.security.platform import CLAIM, Login, b64, message_of, raw_jwt, start_login, stored

Case = Callable[[Login], Any]


def _claims(**changes: Any) -> Case:
    """Change (or with ``None`` drop) top-level claims, re-sign with the platform's key."""

    def run(login: Login) -> Any:
        body = dict(login.claims)
        for given, value in changes.items():
            name = given.replace("__", CLAIM) if given.startswith("__") else given
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return login.post(id_token=login.sign(body))

    return run


def _lti(claim: str, value: Any) -> Case:
    return _claims(**{"__" + claim: value})


def _times(**delta: int) -> Case:
    def run(login: Login) -> Any:
        body = dict(login.claims)
        for name, seconds in delta.items():
            body[name] = int(body.get("iat", 0)) + seconds
        return login.post(id_token=login.sign(body))

    return run


def _no_kid(login: Login) -> Any:
    private = platform_keys(login.journey.emulator.emulator).present.private_key
    return login.post(id_token=jwt.encode(login.claims, private, algorithm="RS256"))


def _unknown_kid(login: Login) -> Any:
    return login.post(id_token=login.sign(login.claims, kid="2000-01-01T00:00:00Z"))


def _other_key(login: Login) -> Any:
    return login.post(id_token=login.sign_other_key(login.claims))


def _tampered(login: Login) -> Any:
    header, _, signature = login.form["id_token"].split(".")
    changed = dict(login.claims, sub="someone-else")
    return login.post(id_token=f"{header}.{b64(json.dumps(changed).encode())}.{signature}")


def _alg_none(login: Login) -> Any:
    kid = login.header["kid"]
    token = raw_jwt({"alg": "none", "typ": "JWT", "kid": kid}, json.dumps(login.claims).encode())
    return login.post(id_token=token.rsplit(".", 1)[0] + ".")


def _hs256_with_public_key(login: Login) -> Any:
    """The classic key-confusion attack: HMAC keyed with the platform's public key."""
    keys = platform_keys(login.journey.emulator.emulator)
    public = keys.present.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": keys.present.kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(login.claims).encode())}"
    import hmac  # noqa: PLC0415
    from hashlib import sha256  # noqa: PLC0415

    signature = hmac.new(public, signing_input.encode(), sha256).digest()
    return login.post(id_token=f"{signing_input}.{b64(signature)}")


def _rs512(login: Login) -> Any:
    keys = platform_keys(login.journey.emulator.emulator)
    token = jwt.encode(
        login.claims, keys.present.private_key, algorithm="RS512", headers={"kid": keys.present.kid}
    )
    return login.post(id_token=token)


def _raw(header: Any, payload: bytes) -> Case:
    return lambda login: login.post(id_token=raw_jwt(header, payload))


def _token(value: str) -> Case:
    return lambda login: login.post(id_token=value)


def _oversize(login: Login) -> Any:
    body = dict(login.claims, padding="x" * 70_000)
    return login.post(id_token=login.sign(body))


def _other_nonce(login: Login) -> Any:
    return login.post(id_token=login.sign(dict(login.claims, nonce="a-nonce-never-issued")))


def _state(value: str | None) -> Case:
    return lambda login: login.post(state=value)


def _error_post(login: Login) -> Any:
    return login.journey.tool.post(
        "/lti/launch",
        data={"error": "login_required", "error_description": "Must have an active user session"},
    )


def _get(login: Login) -> Any:
    return login.journey.tool.get("/lti/launch", query_string=login.form)


def _huge_body(login: Login) -> Any:
    return login.post(id_token="x" * (1024 * 1024 + 10))


ISS_OR_AUD = "iss or aud"
HEADER = {"alg": "RS256", "typ": "JWT", "kid": "k"}

# name -> (case, status, words the message must contain)
CASES: dict[str, tuple[Case, int, str]] = {
    "no kid": (_no_kid, 400, "names no key (kid)"),
    "unknown kid": (_unknown_kid, 400, "kid"),
    "wrong signature (other key, same kid)": (_other_key, 400, "signature is not valid"),
    "tampered payload": (_tampered, 400, "signature is not valid"),
    "alg none": (_alg_none, 400, "not signed with RS256"),
    "alg HS256 keyed with the public key": (_hs256_with_public_key, 400, "RS256"),
    "alg RS512": (_rs512, 400, "RS256"),
    "expired": (_times(exp=-120), 400, "expired"),
    "iat in the future": (_times(iat=3600, exp=7200), 400, "in the future"),
    "nbf in the future": (_times(nbf=3600), 400, "not valid yet"),
    "missing exp": (_claims(exp=None), 400, "exp"),
    "missing iat": (_claims(iat=None), 400, "iat"),
    "exp not a number": (_claims(exp="tomorrow"), 400, "exp"),
    "missing iss": (_claims(iss=None), 400, "issuer or audience"),
    "wrong iss": (_claims(iss="https://evil.example"), 400, ISS_OR_AUD),
    "missing aud": (_claims(aud=None), 400, "issuer or audience"),
    "wrong aud": (_claims(aud="99999"), 400, ISS_OR_AUD),
    "aud list without azp": (_claims(aud="LIST", azp=None), 400, "azp"),
    "wrong azp": (_claims(azp="99999"), 400, "azp"),
    "missing deployment_id": (_lti("deployment_id", None), 400, "deployment_id"),
    "unknown deployment_id": (_lti("deployment_id", "999:nope"), 400, "deployment_id"),
    "missing nonce": (_claims(nonce=None), 400, "nonce"),
    "nonce not issued with this login": (_other_nonce, 400, "nonce"),
    "state absent": (_state(None), 400, "no state"),
    "state of no login": (_state("f" * 40), 400, "state"),
    "state too long": (_state("s" * 300), 400, "too long"),
    "wrong message_type": (_lti("message_type", "LtiDeepLinkingRequest"), 400, "resource link"),
    "missing message_type": (_lti("message_type", None), 400, "resource link"),
    "wrong version": (_lti("version", "1.1.0"), 400, "1.3.0"),
    "missing version": (_lti("version", None), 400, "1.3.0"),
    "missing sub": (_claims(sub=None), 400, "sub"),
    "missing roles claim": (_lti("roles", None), 400, "roles"),
    "missing resource_link": (_lti("resource_link", None), 400, "resource_link"),
    "resource_link without id": (_lti("resource_link", {"title": "x"}), 400, "resource_link"),
    "missing target_link_uri": (_lti("target_link_uri", None), 400, "target_link_uri"),
    "target_link_uri off-site": (
        _lti("target_link_uri", "https://evil.example/lti/launch"),
        400,
        "target_link_uri",
    ),
    "oversize id_token": (_oversize, 400, "too long"),
    "request over 1 MB": (_huge_body, 413, "too large"),
    "two segments": (_token("eyJhbGciOiJSUzI1NiJ9.eyJ9"), 400, "malformed"),
    "four segments": (_token("a.b.c.d"), 400, "malformed"),
    "garbage": (_token("not a jwt at all"), 400, "malformed"),
    "payload not JSON": (_raw(HEADER, b"{not json"), 400, "malformed"),
    "payload a JSON list": (_raw(HEADER, b"[1, 2]"), 400, "malformed"),
    "header not JSON": (_token(f"{b64(b'nope')}.{b64(b'{}')}.{b64(b'sig')}"), 400, "malformed"),
    "empty id_token": (_token(""), 400, "no id_token"),
    "no id_token": (lambda login: login.post(id_token=None), 400, "no id_token"),
    "error form post from the platform": (_error_post, 400, "Canvas"),
    "GET instead of POST": (_get, 405, "does not accept"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_invalid_launch_is_refused_and_stores_nothing(
    name: str, tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    case, status, words = CASES[name]
    login = start_login(tool, live_canvas, registration)
    if name == "aud list without azp":  # aud must hold this tool's client id and another
        case = _claims(aud=[registration["client_id"], "99999"], azp=None)
    before = stored(tool)

    response = case(login)

    assert response.status_code == status, message_of(response)[:400]
    assert words.lower() in message_of(response).lower(), message_of(response)[:600]
    assert stored(tool) == before, "a rejected launch changed the database"
    # ...and the genuine token still works afterwards: nothing of the login was spent.
    if status != 405:
        assert login.post().status_code in (200, 303)


def test_matrix_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_genuine_launch_passes(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    """The control: the same login, unmodified, launches (so the cases fail for their reason)."""
    login = start_login(tool, live_canvas, registration)
    counts, _ = stored(tool)
    response = login.post(id_token=login.sign(login.claims))
    assert response.status_code == 303, message_of(response)[:400]
    assert stored(tool)[0]["launch"] == counts["launch"] + 1


def test_replayed_launch_is_refused(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    login = start_login(tool, live_canvas, registration)
    assert login.post().status_code == 303
    before = stored(tool)
    again = login.post()
    assert again.status_code == 400
    assert "already used" in message_of(again) or "state" in message_of(again)
    assert stored(tool) == before


def test_nonce_of_an_earlier_launch_is_refused(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    """A fresh login, but the id_token carries the nonce a successful launch already spent."""
    first = start_login(tool, live_canvas, registration)
    assert first.post().status_code == 303
    second = start_login(tool, live_canvas, registration)
    before = stored(tool)
    response = second.post(id_token=second.sign(dict(second.claims, nonce=first.claims["nonce"])))
    assert response.status_code == 400
    assert "nonce" in message_of(response)
    assert stored(tool) == before
