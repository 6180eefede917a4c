"""Shared launch state: values expire, ``take`` hands a value to exactly one caller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.config import Settings
from app.db import Base, Database
from app.lti import login_state
from app.lti.launch_state import DbStateStore, RedisStateStore, StateStore, make_state_store
from tests.unit.lti import fakes
from tests.unit.lti.conftest import install_canvas, install_clock


class Now:
    def __init__(self) -> None:
        self.value = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def db_store(app: Flask, now: Now) -> DbStateStore:
    return DbStateStore(app.extensions["db"].sessions, now)


@pytest.fixture
def redis_store(fresh_redis_url: str) -> Iterator[RedisStateStore]:
    client = redis.Redis.from_url(fresh_redis_url)
    yield RedisStateStore(client, prefix="test:")
    client.close()


def _contract(store: StateStore) -> None:
    store.put("a", {"x": 1}, 60)
    assert store.get("a") == {"x": 1}
    store.put("a", {"x": 2}, 60)  # overwrite
    assert store.get("a") == {"x": 2}
    assert store.take("a") == {"x": 2}
    assert store.take("a") is None
    assert store.get("a") is None
    assert store.get("missing") is None
    assert store.add("once", 1, 60) is True  # the first add wins ...
    assert store.add("once", 2, 60) is False  # ... every later one loses
    assert store.get("once") == 1


def test_db_store_contract(db_store: DbStateStore) -> None:
    _contract(db_store)


def test_redis_store_contract(redis_store: RedisStateStore) -> None:
    _contract(redis_store)


def test_db_store_expiry_and_purge(db_store: DbStateStore, now: Now) -> None:
    db_store.put("short", "v", 10)
    db_store.put("long", "v", 100)
    now.value += timedelta(seconds=11)
    assert db_store.get("short") is None
    assert db_store.take("short") is None
    db_store.put("short2", "v", 10)
    now.value += timedelta(seconds=11)
    assert db_store.purge_expired() == 1
    assert db_store.get("long") == "v"


def test_db_take_is_exclusive_across_threads(db_store: DbStateStore) -> None:
    db_store.put("nonce", True, 60)
    results: list[object] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        results.append(db_store.take("nonce"))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [None, None, None, True]


def test_redis_url_selects_redis(app: Flask, fresh_redis_url: str) -> None:
    store = make_state_store(fresh_redis_url, app.extensions["db"].sessions)
    assert isinstance(store, RedisStateStore)
    _contract(store)


def test_launch_works_on_redis(fresh_redis_url: str, settings: Settings) -> None:
    """The whole login and launch with REDIS_URL set: the spent state is marked in Redis."""
    flask_app = create_app(settings.with_overrides(redis_url=fresh_redis_url))
    Base.metadata.create_all(flask_app.extensions["db"].engine)
    install_clock(flask_app)
    canvas = install_canvas(flask_app)
    client = flask_app.test_client()
    state, nonce, _ = fakes.login(client)
    server = redis.Redis.from_url(fresh_redis_url)
    assert list(server.scan_iter("canvas-reports:lti:used-*")) == []  # a login stores nothing
    response = client.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    )
    assert response.status_code == 303
    assert server.exists(f"canvas-reports:lti:{login_state.used_key(state)}") == 1
    again = client.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    )
    assert again.status_code == 400
    flask_app.extensions["db"].engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_store(
    request: pytest.FixtureRequest, settings: Settings, now: Now
) -> Iterator[tuple[DbStateStore, sessionmaker[Session]]]:
    url = settings.database_url
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_postgres_url")
    database = Database(url)
    Base.metadata.create_all(database.engine)
    yield DbStateStore(database.sessions, now), database.sessions
    database.engine.dispose()


def test_db_store_contract_on_both_databases(
    any_db_store: tuple[DbStateStore, sessionmaker[Session]],
) -> None:
    _contract(any_db_store[0])


def test_a_session_bound_store_commits_and_rolls_back_with_its_session(
    any_db_store: tuple[DbStateStore, sessionmaker[Session]],
) -> None:
    store, sessions = any_db_store
    with sessions() as session:
        bound = store.within(session)
        _contract(bound)  # reads its own writes inside the transaction
        bound.put("kept", "v", 60)
        assert store.get("kept") is None  # not visible to others before the commit
        session.commit()
    assert store.get("kept") == "v"
    with sessions() as session:
        assert store.within(session).take("kept") == "v"
        session.rollback()
    assert store.get("kept") == "v"  # a failed launch does not spend its state


@pytest.mark.postgres
def test_two_transactions_taking_one_state_get_it_once(
    settings: Settings, fresh_postgres_url: str, now: Now
) -> None:
    """Two workers' launches with the same state: the second waits, then finds nothing."""
    database = Database(fresh_postgres_url)
    Base.metadata.create_all(database.engine)
    store = DbStateStore(database.sessions, now)
    store.put("state", {"nonce": "n"}, 60)
    first, second = database.sessions(), database.sessions()
    assert store.within(first).take("state") == {"nonce": "n"}
    results: list[object] = []
    racer = threading.Thread(target=lambda: results.append(store.within(second).take("state")))
    racer.start()
    racer.join(timeout=0.5)
    assert racer.is_alive()  # blocked on the row the first transaction deleted
    first.commit()
    racer.join(timeout=10)
    assert results == [None]
    second.commit()
    first.close()
    second.close()
    database.engine.dispose()
