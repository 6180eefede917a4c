"""The cookie path and the cookie-less (platform storage) path of a launch, server side."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from app.models import Deployment, Launch
from tests.unit.lti import fakes
from tests.unit.lti.conftest import Clock, Snapshot, count_launches, state_keys


def _token_from(location: str) -> str:
    return parse_qs(urlsplit(location).query)["lt"][0]


def test_login_redirects_to_canvas_with_state_nonce_and_cookie(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, response = fakes.login(client)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(fakes.AUTH_LOGIN_URL + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [f"{fakes.TOOL}/lti/launch"]
    assert query["client_id"] == [fakes.CLIENT_ID]
    assert query["login_hint"] == ["hint-3"]
    assert query["lti_message_hint"] == ["msg-hint"]
    assert query["response_mode"] == ["form_post"]
    assert query["prompt"] == ["none"]
    cookie = response.headers["Set-Cookie"]
    assert f"lti1p3-{state}={state}" in cookie
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in cookie
    assert nonce


def test_login_accepts_get(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    response = client.get(
        "/lti/login",
        query_string={
            "iss": fakes.ISSUER,
            "login_hint": "h",
            "client_id": fakes.CLIENT_ID,
            "target_link_uri": f"{fakes.TOOL}/lti/launch",
        },
    )
    assert response.status_code == 302


def test_cookie_launch_records_launch_and_redirects_with_token(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce))
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert urlsplit(location).path == "/course"
    assert count_launches(app) == 1
    # state and nonce are spent
    assert not any(k.endswith(state) or nonce in k for k in state_keys(app))
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tina Teacher" in html
    assert "Biology 101" in html
    assert f'<meta name="launch-token" content="{_token_from(location)}">' in html


def test_launch_row_holds_who_and_where(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(client)
    client.post("/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state})
    with app.extensions["db"].session() as session:
        launch = session.query(Launch).one()
        assert launch.canvas_course_id == 101
        assert launch.canvas_account_id == 2
        assert launch.canvas_user_id == 3
        assert launch.placement == "course_navigation"
        assert launch.context_type == "course"
        assert launch.canvas_roles == ["TeacherEnrollment"]
        assert launch.canvas_api_base_url == fakes.CANVAS_URL
        assert "nonce" not in launch.claims


def test_cookieless_login_answers_storage_page(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, response = fakes.login(client, lti_storage_target="post_message_forwarding")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-storage-target="post_message_forwarding"' in html
    assert 'data-auth-origin="https://sso.test.example"' in html
    assert "/static/js/lti-login.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    assert state
    assert nonce
    # The cookie is still set as a first try.
    assert f"lti1p3-{state}=" in response.headers["Set-Cookie"]


def test_cookieless_launch_completes_after_storage_check(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    state, nonce, _ = fakes.login(client, lti_storage_target="post_message_forwarding")
    other = app.test_client()  # no cookies: third-party cookies blocked
    response = other.post(
        "/lti/launch",
        data={
            "id_token": canvas.sign(canvas.claims(nonce)),
            "state": state,
            "lti_storage_target": "post_message_forwarding",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/js/lti-launch.js" in html
    assert f'data-state="{state}"' in html
    assert count_launches(app) == 0  # nothing recorded before the browser proves the state
    pending = re.search(r'name="pending_id" value="([0-9a-f]+)"', html)
    assert pending
    done = other.post("/lti/launch/complete", data={"pending_id": pending.group(1), "state": state})
    assert done.status_code == 303
    assert urlsplit(done.headers["Location"]).path == "/course"
    assert count_launches(app) == 1
    again = other.post(
        "/lti/launch/complete", data={"pending_id": pending.group(1), "state": state}
    )
    assert again.status_code == 400
    assert count_launches(app) == 1


def test_cookieless_completion_with_wrong_state_is_refused(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, nonce, _ = fakes.login(client, lti_storage_target="post_message_forwarding")
    other = app.test_client()
    html = other.post(
        "/lti/launch",
        data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state},
    ).get_data(as_text=True)
    pending = re.search(r'name="pending_id" value="([0-9a-f]+)"', html)
    assert pending
    response = other.post(
        "/lti/launch/complete", data={"pending_id": pending.group(1), "state": "state-forged"}
    )
    assert response.status_code == 400
    assert "does not match" in response.get_data(as_text=True)
    assert count_launches(app) == 0


def test_launch_without_cookie_or_storage_is_refused(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, snapshot: Snapshot
) -> None:
    state, nonce, _ = fakes.login(client)
    before = snapshot()
    other = app.test_client()
    response = other.post(
        "/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state}
    )
    assert response.status_code == 400
    assert "does not match this browser" in response.get_data(as_text=True)
    assert snapshot() == before


def test_storage_login_page_offers_new_tab_retry(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    _, _, response = fakes.login(client, lti_storage_target="post_message_forwarding")
    html = response.get_data(as_text=True)
    match = re.search(r'href="(/lti/login\?[^"]+)" target="_blank"', html)
    assert match
    url = match.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert query["lti1p3_new_window"] == ["1"]
    assert query["lti_message_hint"] == ["msg-hint"]
    assert "lti_storage_target" not in query
    retry = client.get(url)  # the new tab: a plain redirect with a first-party cookie
    assert retry.status_code == 302
    assert retry.headers["Location"].startswith(fakes.AUTH_LOGIN_URL)


def test_old_launches_are_purged_at_the_next_launch(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas, clock: Clock
) -> None:
    state, nonce, _ = fakes.login(client)
    client.post("/lti/launch", data={"id_token": canvas.sign(canvas.claims(nonce)), "state": state})
    clock.advance(8 * 3600 + 24 * 3600 + 1)  # expired (8 h) for over a day
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce)
    body["iat"] = int(clock.now.timestamp())
    body["exp"] = body["iat"] + 3600
    client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert count_launches(app) == 1


def test_first_deployment_of_a_dynamically_registered_platform_is_adopted(
    app: Flask, client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    with app.extensions["db"].session() as session:
        session.execute(delete(Deployment))  # as after Canvas's Dynamic Registration
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce, **{fakes.CLAIM + "deployment_id": "12:first"})
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 303
    with app.extensions["db"].session() as session:
        assert list(session.scalars(select(Deployment.deployment_id))) == ["12:first"]
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce, **{fakes.CLAIM + "deployment_id": "13:second"})
    refused = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert refused.status_code == 400
    assert "13:second" in refused.get_data(as_text=True)
