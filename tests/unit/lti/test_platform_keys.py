"""Platform JWKS: cached, refetched once on an unknown kid, never on every launch."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock


def _launch(client: FlaskClient, canvas: fakes.FakeCanvas, key_index: int = 0) -> int:
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce), key_index=key_index)
    return client.post("/lti/launch", data={"id_token": token, "state": state}).status_code


def test_jwks_is_fetched_once_for_many_launches(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    assert _launch(client, canvas) == 303
    assert _launch(client, canvas) == 303
    assert _launch(client, canvas) == 303
    assert canvas.fetches == 1


def test_rotated_platform_key_is_picked_up_by_one_refetch(
    client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    assert _launch(client, canvas) == 303
    canvas.keys.append(fakes.cached_rsa(1))  # Canvas publishes its next key
    clock.advance(6)
    assert _launch(client, canvas, key_index=1) == 303
    assert canvas.fetches == 2
    assert _launch(client, canvas, key_index=1) == 303
    assert canvas.fetches == 2


def test_unknown_kids_do_not_hammer_the_jwks(
    client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    assert _launch(client, canvas) == 303
    forger = fakes.FakeCanvas(keys=[fakes.cached_rsa(2)])
    clock.advance(6)
    assert _launch(client, forger) == 400  # one refetch, still unknown
    assert canvas.fetches == 2
    assert _launch(client, forger) == 400  # within the refetch interval: no fetch
    assert _launch(client, forger) == 400
    assert canvas.fetches == 2


def test_cached_jwks_expires(client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock) -> None:
    assert _launch(client, canvas) == 303
    clock.advance(3601)
    assert _launch(client, canvas) == 303
    assert canvas.fetches == 2
