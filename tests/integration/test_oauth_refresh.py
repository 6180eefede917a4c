"""Token refresh against the live emulator: expiry, 401, revocation, one refresh at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pytest
import requests
from sqlalchemy.orm import sessionmaker

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasAuthorizationRequired, CanvasError, CanvasUnavailable
from app.canvas.factory import oauth_for_platform
from app.canvas.refresh import REVOKED, RefreshCoordinator
from app.db import make_engine
from app.models.platform import Platform
from emulator import faults
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401

TINA = 3


def frozen_at(moment: datetime) -> Callable[[], datetime]:
    """A tool clock stuck at ``moment``: the tool never thinks its token expired."""
    return lambda: moment


def refreshes(canvas: CanvasWorld) -> int:
    return canvas.oauth_stats().get("refresh_token", 0)


def test_an_expired_token_is_refreshed_after_canvas_says_so(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA, now=frozen_at(canvas.now()))
    before = canvas.stored(TINA)
    canvas.advance(3601)  # Canvas: "Expired access token."; the tool's clock did not move
    assert client.get_self().id == TINA
    after = canvas.stored(TINA)
    assert refreshes(canvas) == 1
    assert before is not None
    assert after is not None
    assert after.access_token != before.access_token
    assert after.refresh_token == before.refresh_token  # Canvas keeps the refresh token


def test_a_token_about_to_expire_is_refreshed_before_the_request(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA)
    client.get_self()
    canvas.advance(3600 - 120)  # inside the five-minute margin, still valid at Canvas
    assert client.get_self().id == TINA
    assert refreshes(canvas) == 1
    stored = canvas.stored(TINA)
    assert stored is not None
    assert stored.expires_at is not None
    assert stored.expires_at > canvas.now()


def test_a_fresh_token_is_not_refreshed(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA)
    for _ in range(3):
        client.get_self()
        canvas.advance(600)
    assert refreshes(canvas) == 0


def test_a_revoked_refresh_token_deletes_ours_and_asks_to_authorize_again(
    canvas: CanvasWorld,
) -> None:
    client = canvas.connected_client(TINA)
    answer = requests.post(f"{canvas.live.url}/_emulator/users/{TINA}/revoke_tokens", timeout=10)
    assert answer.json()["revoked"] >= 1
    with pytest.raises(CanvasAuthorizationRequired) as caught:
        client.get_self()
    assert caught.value.message == REVOKED
    assert canvas.stored(TINA) is None
    with pytest.raises(CanvasAuthorizationRequired):
        canvas.client(TINA)
    # The way back: authorize again.
    assert canvas.connected_client(TINA).get_self().id == TINA


def test_an_expired_token_with_a_revoked_refresh_token_asks_to_authorize_again(
    canvas: CanvasWorld,
) -> None:
    client = canvas.connected_client(TINA)
    client.get_self()
    stored = canvas.stored(TINA)
    assert stored is not None
    store = canvas.live.emulator.store
    with store.lock:  # Canvas forgot the refresh token (e.g. the user deleted it in Canvas)
        for token in store.access_tokens.values():
            if token.refresh_token == stored.refresh_token:
                token.refresh_token = "gone"
    canvas.advance(3601)
    with pytest.raises(CanvasAuthorizationRequired, match="revoked or has expired"):
        client.get_self()
    assert canvas.stored(TINA) is None


def test_token_endpoint_outage_keeps_the_token(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA)
    faults.add_route_fault(
        canvas.live.emulator,
        "error",
        r"^/login/oauth2/token$",
        method="POST",
        status=503,
        body="down",
    )
    canvas.advance(3601)
    with pytest.raises(CanvasUnavailable):
        client.get_self()
    assert canvas.stored(TINA) is not None
    faults.clear(canvas.live.emulator)
    assert client.get_self().id == TINA


def test_a_rejected_client_secret_is_a_canvas_error_not_a_revocation(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA)
    with canvas.db.session() as session:
        platform = session.get(Platform, canvas.platform_id)
        assert platform is not None
        platform.api_client_secret_encrypted = canvas.box.encrypt("wrong")
    canvas.advance(3601)
    client = canvas.client(TINA)
    with pytest.raises(CanvasError, match="invalid_client") as caught:
        client.get_self()
    assert not isinstance(caught.value, CanvasAuthorizationRequired)
    assert canvas.stored(TINA) is not None


def run_together(clients: list[CanvasClient]) -> list[object]:
    """Call ``get_self`` on every client at the same moment, one thread each."""
    barrier = threading.Barrier(len(clients))
    results: list[object] = [None] * len(clients)

    def work(index: int, client: CanvasClient) -> None:
        barrier.wait()
        try:
            results[index] = client.get_self().id
        except Exception as exc:  # reported below, not swallowed
            results[index] = exc

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_concurrent_refreshes_make_one_token_call(canvas: CanvasWorld) -> None:
    canvas.connected_client(TINA)
    first, second = canvas.client(TINA), canvas.client(TINA)  # two sessions, like two workers
    first.get_self()
    second.get_self()  # both now hold the same, soon expired, token in memory
    canvas.advance(3601)
    # Make the token call slow so the second refresh surely arrives while the first runs.
    faults.add_route_fault(
        canvas.live.emulator, "latency", r"^/login/oauth2/token$", method="POST", delay=0.3
    )
    assert run_together([first, second]) == [TINA, TINA]
    assert refreshes(canvas) == 1


def test_a_refresh_that_cannot_get_the_sqlite_lock_is_canvas_unavailable(
    canvas: CanvasWorld,
) -> None:
    canvas.connected_client(TINA)
    stored = canvas.stored(TINA)
    assert stored is not None
    impatient = make_engine(
        canvas.settings.database_url, connect_args={"timeout": 0.2, "check_same_thread": False}
    )
    with canvas.db.session() as session:
        platform = session.get(Platform, canvas.platform_id)
        assert platform is not None
        oauth = oauth_for_platform(platform, canvas.options())
    coordinator = RefreshCoordinator(sessionmaker(impatient), canvas.box, oauth, now=canvas.now)
    holder = canvas.db.engine.connect()
    try:
        holder.exec_driver_sql("BEGIN IMMEDIATE")  # someone else holds SQLite's write lock
        with pytest.raises(CanvasUnavailable, match="could not be refreshed"):
            coordinator.refresh(canvas.platform_id, TINA, stored.access_token)
    finally:
        holder.exec_driver_sql("ROLLBACK")
        holder.close()
        impatient.dispose()
    assert refreshes(canvas) == 0
    assert canvas.stored(TINA) == stored
