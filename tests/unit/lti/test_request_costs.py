"""What a launch no longer pays for: per-process caches and purges, one state row per login.

Each test fails if the saving is undone (a query per page, a purge per login, a store read
per launch) or if it goes too far (a stale answer after a change this process committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, insert

from app.db import Database
from app.lti import login_state
from app.lti.frame_origins import FrameOrigins, platforms_generation
from app.lti.housekeeping import Housekeeping
from app.lti.runtime import LtiRuntime
from app.models import LaunchStateEntry, Platform
from tests.support import factories
from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock, register, state_keys


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block."""
    seen: list[str] = []
    engine = app.extensions["db"].engine

    def record(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _launch(client: FlaskClient, canvas: fakes.FakeCanvas) -> int:
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce))
    return client.post("/lti/launch", data={"id_token": token, "state": state}).status_code


# ------------------------------------------------------------------ the whole launch


def test_a_launch_costs_four_statements_over_two_connections(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    """Login, id_token post and landing page once the caches are warm (a regression guard:
    session 1 needed 21 statements and 12 checkouts, session 2 eight and three). The login
    touches no database; the launch inserts its spent-state marker and its ``Launch`` row;
    the page reads the launch and its panel's jobs."""
    assert _launch(client, canvas) == 303  # warms the key memo, CSP origins and purge gate
    checkouts: list[int] = []
    engine = app.extensions["db"].engine

    def checkout(*_: object) -> None:
        checkouts.append(1)

    event.listen(engine, "checkout", checkout)
    try:
        with statements(app) as seen:
            state, nonce, _ = fakes.login(client)
            token = canvas.sign(canvas.claims(nonce))
            launched = client.post("/lti/launch", data={"id_token": token, "state": state})
            assert launched.status_code == 303
            assert client.get(launched.headers["Location"]).status_code == 200
    finally:
        event.remove(engine, "checkout", checkout)
    assert len(seen) == 4, seen
    assert len(checkouts) == 2  # none for the login, one each for the launch and the page


# ------------------------------------------------------------------ housekeeping


def test_housekeeping_is_due_once_per_interval_and_when_the_clock_goes_back() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    gate = Housekeeping(lambda: now[0], interval_seconds=60)
    assert gate.due("a")
    assert not gate.due("a")
    assert gate.due("b")  # names are independent
    now[0] += timedelta(seconds=59)
    assert not gate.due("a")
    now[0] += timedelta(seconds=1)
    assert gate.due("a")
    now[0] -= timedelta(hours=1)  # a clock set back does not stall the purge for an hour
    assert gate.due("a")


def test_expired_state_is_purged_by_the_first_login_of_each_minute(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    db: Database = app.extensions["db"]

    def expired(key: str) -> None:
        with db.session() as session:
            session.execute(
                insert(LaunchStateEntry).values(
                    key=key, value="1", expires_at=clock.now - timedelta(seconds=1)
                )
            )

    expired("old-1")
    fakes.login(client)
    assert "old-1" not in state_keys(app)
    expired("old-2")
    fakes.login(client)  # the same minute: no second purge
    assert "old-2" in state_keys(app)
    clock.advance(61)
    fakes.login(client)
    assert "old-2" not in state_keys(app)


# ------------------------------------------------------------------ state and nonce


def test_a_login_stores_nothing_and_needs_no_connection(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    fakes.login(client)  # warms the registration cache and the purge gate
    before = state_keys(app)
    checkouts: list[int] = []
    engine = app.extensions["db"].engine

    def checkout(*_: object) -> None:
        checkouts.append(1)

    event.listen(engine, "checkout", checkout)
    try:
        state, nonce, answer = fakes.login(client)
    finally:
        event.remove(engine, "checkout", checkout)
    assert answer.status_code == 302
    assert checkouts == []
    assert state_keys(app) == before
    runtime: LtiRuntime = app.extensions["lti"]
    found = login_state.read(runtime.settings.secret_key, state, runtime.now().timestamp())
    assert found is not None
    assert found.nonce == nonce


def test_a_replayed_id_token_is_refused_once_its_state_is_spent(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(client)
    form = {"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    assert client.post("/lti/launch", data=form).status_code == 303
    again = client.post("/lti/launch", data=form)
    assert again.status_code == 400
    assert not any(state in key for key in state_keys(app))


def test_a_nonce_from_another_login_is_refused_and_spends_nothing(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, _, _ = fakes.login(client)
    _, other_nonce, _ = fakes.login(client)
    before = state_keys(app)
    form = {"id_token": canvas.sign(canvas.claims(other_nonce)), "state": state}
    answer = client.post("/lti/launch", data=form)
    assert answer.status_code == 400
    assert "nonce" in answer.get_data(as_text=True)
    assert {key for key in state_keys(app) if not key.startswith("jwks-")} == before


# ------------------------------------------------------------------ platform keys


def test_platform_keys_are_memoised_per_process_for_five_minutes(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    assert _launch(client, canvas) == 303
    db: Database = app.extensions["db"]
    with db.session() as session:  # the shared JWKS cache is gone: only the memo can answer
        session.execute(delete(LaunchStateEntry).where(LaunchStateEntry.key.like("jwks-%")))
    assert _launch(client, canvas) == 303
    assert canvas.fetches == 1
    clock.advance(301)
    assert _launch(client, canvas) == 303
    assert canvas.fetches == 2


def test_a_launch_reads_no_jwks_from_the_store_once_memoised(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    assert _launch(client, canvas) == 303
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce))
    with statements(app) as seen:
        assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code
    state_reads = [s for s in seen if s.startswith("SELECT") and "launch_state" in s]
    assert state_reads == []  # the state is signed, the keys memoised: nothing to read


# ------------------------------------------------------------------ CSP frame origins


def test_frame_origins_are_read_once_per_ttl(app: Flask, client: FlaskClient) -> None:
    register(app)
    client.get("/course")
    with statements(app) as seen:
        client.get("/course")
        client.get("/nowhere")
    assert not [s for s in seen if "FROM platform" in s]


def test_a_platform_committed_in_this_process_shows_at_once(
    app: Flask, client: FlaskClient
) -> None:
    client.get("/course")
    register(app)
    policy = client.get("/course").headers["Content-Security-Policy"]
    assert fakes.CANVAS_URL in policy


def _platform_row(canvas_url: str) -> Platform:
    return factories.platform(
        issuer="https://canvas.instructure.com",
        client_id=canvas_url[-8:],
        auth_login_url="https://sso.example/a",
        auth_token_url="https://sso.example/t",
        key_set_url="https://sso.example/k",
        canvas_url=canvas_url,
    )


def test_only_a_committed_platform_change_drops_the_cache(app: Flask) -> None:
    db: Database = app.extensions["db"]
    before = platforms_generation()
    with db.sessions() as session:
        session.add(_platform_row("https://rolled-back.example"))
        session.flush()
        session.rollback()
    assert platforms_generation() == before
    with db.session() as session:
        session.add(_platform_row("https://committed.example"))
    assert platforms_generation() > before


def test_frame_origins_expire_after_the_ttl(app: Flask) -> None:
    ticks = [0.0]
    cache = FrameOrigins(ttl_seconds=30, clock=lambda: ticks[0])
    db: Database = app.extensions["db"]
    with db.sessions() as session:
        assert cache.get(session) == []
    with db.engine.begin() as connection:  # another process's change: no ORM event here
        row = _platform_row("https://school.example")
        connection.execute(
            insert(Platform).values(
                {c.key: getattr(row, c.key) for c in Platform.__table__.columns if c.key != "id"}
                | {"created_at": datetime.now(UTC)}
            )
        )
    with db.sessions() as session:
        assert cache.get(session) == []  # within the TTL
        ticks[0] = 30.0
        assert cache.get(session) == [
            "https://canvas.instructure.com",
            "https://school.example",
        ]


# ------------------------------------------------------------------ Server-Timing


@pytest.mark.parametrize(("path", "status"), [("/healthz", 200), ("/nowhere", 404)])
def test_every_response_says_how_long_the_tool_took(
    client: FlaskClient, path: str, status: int
) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    metrics = dict(
        part.strip().split(";dur=") for part in answer.headers["Server-Timing"].split(",")
    )
    assert set(metrics) == {"app", "cpu"}
    assert all(float(value) >= 0 for value in metrics.values())
