"""One refresh at a time on every lock backend: PostgreSQL row lock and Redis lock.

(SQLite's write-lock path is covered in ``test_oauth_refresh.py``.)
"""

from __future__ import annotations

import pytest

from app.canvas.errors import CanvasAuthorizationRequired
from app.config import Settings
from emulator import faults
from emulator.oauth.tokens import revoke_user_tokens
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401
from tests.integration.test_oauth_refresh import TINA, refreshes, run_together


@pytest.fixture(params=["postgres", "redis"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The shared test settings on PostgreSQL, or on SQLite with a Redis lock."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("fresh_postgres_url")
        return settings.with_overrides(database_url=url)
    redis_url: str = request.getfixturevalue("fresh_redis_url")
    return settings.with_overrides(redis_url=redis_url)


def test_concurrent_refreshes_make_one_token_call(canvas: CanvasWorld) -> None:
    canvas.connected_client(TINA)
    clients = [canvas.client(TINA) for _ in range(3)]
    for client in clients:
        client.get_self()
    canvas.advance(3601)
    faults.add_route_fault(
        canvas.live.emulator, "latency", r"^/login/oauth2/token$", method="POST", delay=0.3
    )
    assert run_together(clients) == [TINA, TINA, TINA]
    assert refreshes(canvas) == 1


def test_revoked_refresh_token_deletes_the_row(canvas: CanvasWorld) -> None:
    client = canvas.connected_client(TINA)
    client.get_self()
    revoke_user_tokens(canvas.live.emulator, TINA)
    canvas.advance(3601)
    with pytest.raises(CanvasAuthorizationRequired, match="revoked or has expired"):
        client.get_self()
    assert canvas.stored(TINA) is None
