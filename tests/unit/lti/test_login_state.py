"""The signed OIDC state: only this tool's, unchanged and recent states are accepted."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.lti import login_state
from app.lti.runtime import LtiRuntime
from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock, Snapshot

SECRET = "s" * 40
NOW = 1_800_000_000.0


def test_a_state_reads_back_with_its_login_and_nonce() -> None:
    issued = login_state.issue(SECRET, 7, "post_message_forwarding", NOW)
    found = login_state.read(SECRET, issued.state, NOW + 30)
    assert found == issued
    assert found.platform_id == 7
    assert found.storage_target == "post_message_forwarding"
    assert len(issued.state) <= 90  # Canvas's platform storage holds 4096 characters a page
    assert len(issued.nonce) == 22
    plain = login_state.issue(SECRET, 7, None, NOW)
    assert login_state.read(SECRET, plain.state, NOW) == plain
    assert plain.storage_target is None


def test_two_logins_get_different_states_and_nonces() -> None:
    first = login_state.issue(SECRET, 1, None, NOW)
    second = login_state.issue(SECRET, 1, None, NOW)
    assert first.state != second.state
    assert first.nonce != second.nonce


def _swap(state: str, index: int, value: str) -> str:
    parts = state.split(".")
    parts[index] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda s: _swap(s, 1, "8"), id="other platform"),
        pytest.param(lambda s: _swap(s, 2, str(int(NOW) + 100)), id="other time"),
        pytest.param(lambda s: _swap(s, 4, "_parent"), id="other storage target"),
        pytest.param(lambda s: _swap(s, 5, "A" * 22), id="other signature"),
        pytest.param(lambda s: s[:-1], id="cut signature"),
        pytest.param(lambda s: _swap(s, 0, "s2"), id="other version"),
        pytest.param(lambda _: login_state.issue("t" * 40, 7, None, NOW).state, id="other key"),
        pytest.param(lambda _: "state-7c9e6679-7425-40de-944b-e07fc1f90ae7", id="pylti1p3 style"),
        pytest.param(lambda _: "", id="empty"),
        pytest.param(lambda _: "....", id="dots"),
        pytest.param(lambda _: "x.y", id="two parts"),
        pytest.param(lambda s: s[:-2] + "ñé", id="non-ASCII signature"),
        pytest.param(lambda s: _swap(s, 3, "\u00e9\u00e9"), id="non-ASCII body"),
    ],
)
def test_a_state_not_issued_here_unchanged_is_refused(forge: object) -> None:
    issued = login_state.issue(SECRET, 7, None, NOW)
    assert callable(forge)
    assert login_state.read(SECRET, forge(issued.state), NOW) is None


def test_a_state_expires_after_ten_minutes_and_is_not_from_the_future() -> None:
    issued = login_state.issue(SECRET, 7, None, NOW)
    assert login_state.read(SECRET, issued.state, NOW + 600) is not None
    assert login_state.read(SECRET, issued.state, NOW + 601) is None
    assert login_state.read(SECRET, issued.state, NOW - 60) is not None  # clock skew
    assert login_state.read(SECRET, issued.state, NOW - 61) is None


@pytest.mark.parametrize("target", ["_parent", "post_message_forwarding", "a-b_C9"])
def test_canvas_storage_targets_are_accepted(target: str) -> None:
    assert login_state.valid_storage_target(target)


@pytest.mark.parametrize("target", ["a.b", "x" * 65, "a b", "", "ä"])
def test_other_storage_targets_are_refused(target: str) -> None:
    assert not login_state.valid_storage_target(target)


def test_the_spent_marker_hides_the_state() -> None:
    state = login_state.issue(SECRET, 7, None, NOW).state
    key = login_state.used_key(state)
    assert key.startswith("used-")
    assert state not in key
    assert len(key) == 5 + 64


# ------------------------------------------------------------------ through the views


def test_a_login_with_an_odd_storage_target_is_refused(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    _, _, answer = fakes.login(client, lti_storage_target="frame.name")
    assert answer.status_code == 400
    assert "malformed" in answer.get_data(as_text=True)


def test_a_state_signed_with_another_secret_is_refused(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock, snapshot: Snapshot
) -> None:
    now = clock.now.timestamp()
    forged = login_state.issue("another-" + "z" * 40, _platform_id(app), None, now)
    client.set_cookie(f"lti1p3-{forged.state}", forged.state)
    before = snapshot()
    answer = client.post(
        "/lti/launch",
        data={"id_token": canvas.sign(canvas.claims(forged.nonce)), "state": forged.state},
    )
    assert answer.status_code == 400
    assert "does not match a login started by this tool" in answer.get_data(as_text=True)
    assert snapshot() == before
    # The same login signed with the tool's own secret is accepted (the test can fail).
    secret = app.extensions["settings"].secret_key
    genuine = login_state.issue(secret, _platform_id(app), None, now)
    client.set_cookie(f"lti1p3-{genuine.state}", genuine.state)
    accepted = client.post(
        "/lti/launch",
        data={"id_token": canvas.sign(canvas.claims(genuine.nonce)), "state": genuine.state},
    )
    assert accepted.status_code == 303


def test_a_state_older_than_ten_minutes_is_refused(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    state, nonce, _ = fakes.login(client)
    clock.advance(601)
    answer = client.post(
        "/lti/launch",
        data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state},
    )
    assert answer.status_code == 400
    assert "expired or was already used" in answer.get_data(as_text=True)


def _platform_id(app: Flask) -> int:
    runtime: LtiRuntime = app.extensions["lti"]
    db = app.extensions["db"]
    with db.session() as session:
        found = runtime.tool_conf(session).registration(fakes.ISSUER, fakes.CLIENT_ID)
    assert found is not None
    return found.platform_id


def test_a_hostile_id_token_is_malformed_not_an_error(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    """JSON nested deeper than the decoder goes, and non-UTF-8 bytes: 400, never 500."""
    import base64  # noqa: PLC0415

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(b'{"alg": "RS256", "kid": "k"}')
    for payload in (b"[" * 40_000, b"\xff\xfe{}"):
        state, _, _ = fakes.login(client)
        answer = client.post(
            "/lti/launch", data={"id_token": f"{header}.{b64(payload)}.c2ln", "state": state}
        )
        assert answer.status_code == 400
        assert "malformed" in answer.get_data(as_text=True)
