"""Platform key set: three RSA keys, date-stamped kids, rotation by Python and HTTP."""

from __future__ import annotations

import re

import jwt
import requests

from emulator.lti.keys import platform_keys, rotate
from emulator.testing import LiveEmulator

KID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _jwks(live: LiveEmulator) -> list[dict[str, str]]:
    response = requests.get(f"{live.url}/api/lti/security/jwks")
    assert response.status_code == 200
    keys: list[dict[str, str]] = response.json()["keys"]
    return keys


def test_jwks_publishes_three_rsa_signing_keys_with_date_stamped_kids(
    emulator: LiveEmulator,
) -> None:
    keys = _jwks(emulator)
    assert len(keys) == 3
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["n"]
        assert key["e"]
        assert KID.match(key["kid"])
        assert "d" not in key  # never the private part
    kids = [k["kid"] for k in keys]
    assert kids == sorted(kids)  # past < present < future
    assert len(set(kids)) == 3


def test_rotation_moves_present_to_past_and_future_to_present(emulator: LiveEmulator) -> None:
    before = [k["kid"] for k in _jwks(emulator)]
    rotate(emulator.emulator)
    after = [k["kid"] for k in _jwks(emulator)]
    assert after[0] == before[1]
    assert after[1] == before[2]
    assert after[2] not in before


def test_rotation_over_http_with_a_frozen_clock_keeps_kids_unique(emulator: LiveEmulator) -> None:
    emulator.emulator.store.clock.freeze()
    seen = {k["kid"] for k in _jwks(emulator)}
    for _ in range(3):
        response = requests.post(f"{emulator.url}/_emulator/keys/rotate")
        assert response.status_code == 200
        body = response.json()
        assert body["present"] in seen
        assert body["future"] not in seen
        seen.add(body["future"])
    assert [k["kid"] for k in _jwks(emulator)] == [body["past"], body["present"], body["future"]]


def test_tokens_are_signed_by_the_present_key_and_verify_after_one_rotation(
    emulator: LiveEmulator,
) -> None:
    keys = platform_keys(emulator.emulator)
    token = keys.sign({"sub": "x"})
    header = jwt.get_unverified_header(token)
    assert header == {"typ": "JWT", "alg": "RS256", "kid": keys.present.kid}
    rotate(emulator.emulator)
    published = jwt.PyJWKSet.from_dict({"keys": _jwks(emulator)})
    key = next(k for k in published.keys if k.key_id == header["kid"])  # now the past key
    assert jwt.decode(token, key.key, algorithms=["RS256"]) == {"sub": "x"}
    rotate(emulator.emulator)
    assert header["kid"] not in [k["kid"] for k in _jwks(emulator)]
