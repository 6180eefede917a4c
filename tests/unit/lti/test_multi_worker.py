"""Two app instances (two workers) sharing one database: login on one, launch on the other."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.config import Settings
from app.db import Base
from app.lti.platform_keys import PlatformKeySet
from app.lti.runtime import LtiRuntime
from tests.unit.lti import fakes
from tests.unit.lti.conftest import count_launches, install_canvas, install_clock


@pytest.fixture
def second_worker(app: Flask, settings: Settings, canvas: fakes.FakeCanvas) -> Iterator[Flask]:
    other = create_app(settings)
    other.config["TESTING"] = True
    runtime: LtiRuntime = other.extensions["lti"]
    runtime.keys = PlatformKeySet(runtime.store, canvas, runtime.now)  # type: ignore[arg-type]
    yield other
    other.extensions["db"].engine.dispose()


def test_login_on_one_worker_launch_on_another(
    app: Flask, second_worker: Flask, canvas: fakes.FakeCanvas
) -> None:
    assert app.extensions["lti"] is not second_worker.extensions["lti"]
    first, second = app.test_client(), second_worker.test_client()
    state, nonce, _login = fakes.login(first)
    # The browser carries the state cookie from worker 1 to worker 2.
    second.set_cookie(f"lti1p3-{state}", state)
    response = second.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert count_launches(app) == 1
    # ... and the next page lands on worker 1 again.
    page = first.get(response.headers["Location"])
    assert page.status_code == 200


def test_cookieless_flow_across_workers(
    app: Flask, second_worker: Flask, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(app.test_client(), lti_storage_target="post_message_forwarding")
    html = (
        second_worker.test_client()
        .post("/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state})
        .get_data(as_text=True)
    )
    pending = re.search(r'name="pending_id" value="([0-9a-f]+)"', html)
    assert pending
    done = app.test_client().post(
        "/lti/launch/complete", data={"pending_id": pending.group(1), "state": state}
    )
    assert done.status_code == 303


def test_a_nonce_is_accepted_by_only_one_worker(
    app: Flask, second_worker: Flask, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(app.test_client())
    data = {"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    statuses = []
    for worker in (app, second_worker):
        client = worker.test_client()
        client.set_cookie(f"lti1p3-{state}", state)
        statuses.append(client.post("/lti/launch", data=data).status_code)
    assert sorted(statuses) == [303, 400]
    assert count_launches(app) == 1


@pytest.mark.postgres
def test_two_workers_on_postgres(fresh_postgres_url: str, settings: Settings) -> None:
    pg_settings = settings.with_overrides(database_url=fresh_postgres_url)
    workers = [create_app(pg_settings), create_app(pg_settings)]
    Base.metadata.create_all(workers[0].extensions["db"].engine)
    try:
        install_clock(workers[0])
        canvas = install_canvas(workers[0])
        runtime: LtiRuntime = workers[1].extensions["lti"]
        runtime.keys = PlatformKeySet(runtime.store, canvas, runtime.now)  # type: ignore[arg-type]
        state, nonce, _ = fakes.login(workers[0].test_client())
        data = {"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
        statuses = []
        for worker in (workers[1], workers[0]):
            client = worker.test_client()
            client.set_cookie(f"lti1p3-{state}", state)
            statuses.append(client.post("/lti/launch", data=data).status_code)
        assert statuses == [303, 400]
        assert count_launches(workers[0]) == 1
    finally:
        for worker in workers:
            worker.extensions["db"].engine.dispose()
