"""launch_required: where the launch token may come from, and what it binds."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue

from app.db import Database
from app.lti import launch_token
from app.models import Launch
from app.web.auth import current_launch, launch_required, launch_url
from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock, install_canvas, install_clock


@pytest.fixture
def clock(app: Flask) -> Clock:
    return install_clock(app)


@pytest.fixture
def canvas(app: Flask, clock: Clock) -> fakes.FakeCanvas:
    return install_canvas(app)


@pytest.fixture
def probe_app(app: Flask) -> Flask:
    """Two probe views registered on the test app: a GET and a POST that need a launch."""

    @app.route("/_probe", methods=["GET", "POST"])
    @launch_required
    def _probe() -> ResponseReturnValue:
        launch = current_launch()
        return jsonify(
            launch=launch.id, course=launch.canvas_course_id, link=launch_url("landing.course")
        )

    return app


def _launch(app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas) -> tuple[str, str]:
    state, nonce, _ = fakes.login(client)
    response = client.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    )
    token = parse_qs(urlsplit(response.headers["Location"]).query)["lt"][0]
    db: Database = app.extensions["db"]
    with db.session() as session:
        launch_id = session.query(Launch.id).one()[0]
    return token, launch_id


def test_get_accepts_query_token(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    token, launch_id = _launch(probe_app, client, canvas)
    fresh = probe_app.test_client()  # no cookies at all
    body = fresh.get("/_probe", query_string={"lt": token}).get_json()
    assert body["launch"] == launch_id
    assert body["course"] == 101
    assert parse_qs(urlsplit(body["link"]).query)["lt"] == [token]


def test_header_token_works_for_get_and_post(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    token, launch_id = _launch(probe_app, client, canvas)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    assert probe_app.test_client().get("/_probe", headers=headers).get_json()["launch"] == launch_id
    assert (
        probe_app.test_client().post("/_probe", headers=headers).get_json()["launch"] == launch_id
    )


def test_post_accepts_form_token(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    token, launch_id = _launch(probe_app, client, canvas)
    response = probe_app.test_client().post("/_probe", data={"lt": token})
    assert response.get_json()["launch"] == launch_id


def test_post_refuses_query_token(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    """A cross-site form or link can put ?lt= in a URL; state changes never trust it."""
    token, _ = _launch(probe_app, client, canvas)
    response = probe_app.test_client().post(
        f"/_probe?lt={token}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "not_authorized"


def test_missing_token_is_refused_with_page(probe_app: Flask) -> None:
    response = probe_app.test_client().get("/_probe")
    assert response.status_code == 403
    assert "needs a launch from Canvas" in response.get_data(as_text=True)


def test_expired_launch_is_refused(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    token, _ = _launch(probe_app, client, canvas)
    clock.advance(timedelta(hours=8, seconds=1).total_seconds())
    response = probe_app.test_client().get("/_probe", query_string={"lt": token})
    assert response.status_code == 403
    assert "expired" in response.get_data(as_text=True)


def test_token_for_a_deleted_launch_is_refused(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    token, launch_id = _launch(probe_app, client, canvas)
    with probe_app.extensions["db"].session() as session:
        session.delete(session.get(Launch, launch_id))
    assert probe_app.test_client().get("/_probe", query_string={"lt": token}).status_code == 403


def test_forged_launch_id_is_refused(
    probe_app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    _launch(probe_app, client, canvas)
    forged = launch_token.issue(
        probe_app.extensions["settings"].with_overrides(secret_key="attacker-" + "z" * 40), "x"
    )
    assert probe_app.test_client().get("/_probe", query_string={"lt": forged}).status_code == 403
