"""Launches from the live emulator, for each placement and role, with and without cookies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.lti.platform_keys import PlatformKeySet
from app.lti.runtime import LtiRuntime
from app.models import Launch
from emulator.lti.options import set_quiz_id_mode
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import Journey, register


@pytest.fixture
def registration(app: Flask, emulator: LiveEmulator) -> dict[str, Any]:
    return register(app, emulator)


def _tool(registration: dict[str, Any]) -> str:
    return str(registration["client_id"])


def _only_launch(app: Flask) -> Launch:
    with app.extensions["db"].session() as session:
        launch: Launch = session.scalars(select(Launch)).one()
        return launch


@pytest.mark.parametrize("cookies", [True, False], ids=["cookie", "platform-storage"])
def test_teacher_course_navigation(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], cookies: bool
) -> None:
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"
    landing, html = journey.landing(journey.launch(path, cookies=cookies))
    assert landing == "/course"
    assert "Tina Teacher" in html
    assert "Biology 101" in html
    launch = _only_launch(app)
    assert (launch.canvas_course_id, launch.canvas_user_id) == (101, 3)
    assert launch.canvas_api_base_url == emulator.url


@pytest.mark.parametrize(("user_id", "name"), [(4, "Tom Assistant"), (5, "Dana Designer")])
def test_ta_and_designer_course_navigation(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], user_id: int, name: str
) -> None:
    journey = Journey.as_user(emulator, app, user_id)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"
    landing, html = journey.landing(journey.launch(path))
    assert landing == "/course"
    assert name in html


@pytest.mark.parametrize(("user_id", "account_id"), [(1, 1), (2, 2)], ids=["root", "sub-account"])
def test_admin_account_navigation(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], user_id: int, account_id: int
) -> None:
    journey = Journey.as_user(emulator, app, user_id)
    tool = _tool(registration)
    path = f"/accounts/{account_id}/external_tools/{tool}?launch_type=account_navigation"
    landing, html = journey.landing(journey.launch(path, cookies=False))
    assert landing == "/account"
    launch = _only_launch(app)
    assert launch.context_type == "account"
    assert launch.canvas_account_id == account_id
    assert "return_to=/account" in html  # the catalogue asks for Canvas in place


@pytest.mark.parametrize("mode", ["custom", "target_link_uri"])
def test_quiz_menu_opens_the_quiz(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], mode: str
) -> None:
    set_quiz_id_mode(emulator.emulator, mode)
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=quiz_menu&quizzes[]=201"
    landing, html = journey.landing(journey.launch(path))
    assert landing == "/quiz"
    assert _only_launch(app).canvas_quiz_id == 201  # opened once Canvas is connected
    assert "return_to=/quiz" in html


@pytest.mark.parametrize("mode", ["custom", "target_link_uri"])
def test_assignment_menu_opens_the_new_quiz(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any], mode: str
) -> None:
    set_quiz_id_mode(emulator.emulator, mode)
    journey = Journey.as_user(emulator, app, 3)
    path = (
        f"/courses/101/external_tools/{_tool(registration)}"
        "?launch_type=assignment_menu&assignments[]=301"
    )
    landing, html = journey.landing(journey.launch(path))
    assert landing == "/quiz"
    assert _only_launch(app).canvas_assignment_id == 301
    assert "return_to=/quiz" in html


def test_quiz_menu_without_id_shows_picker(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any]
) -> None:
    set_quiz_id_mode(emulator.emulator, "none")
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=quiz_menu&quizzes[]=201"
    landing, html = journey.landing(journey.launch(path))
    assert landing == "/quiz"
    launch = _only_launch(app)
    assert (launch.canvas_quiz_id, launch.canvas_assignment_id) == (None, None)  # the picker
    assert "return_to=/quiz" in html


def test_teacher_cannot_use_account_navigation_of_course_launch(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any]
) -> None:
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"
    response = journey.launch(path)
    location = response.headers["Location"]
    token = location.split("lt=")[1]
    assert journey.tool.get(f"/account?lt={token}").status_code == 403


def test_replaying_the_canvas_form_is_rejected(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any]
) -> None:
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"
    _, params = journey.login_params(path)
    auth_url = journey.tool.post("/lti/login", data={**params, "lti_storage_target": ""}).headers[
        "Location"
    ]
    form = journey.authorize(auth_url)
    assert journey.tool.post("/lti/launch", data=form).status_code == 303
    again = journey.tool.post("/lti/launch", data=form)
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)


def test_canvas_error_form_post_becomes_friendly_page(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any]
) -> None:
    journey = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"
    _, params = journey.login_params(path)
    auth_url = journey.tool.post("/lti/login", data={**params, "lti_storage_target": ""}).headers[
        "Location"
    ]
    journey.canvas.get(f"{emulator.url}/_emulator/login_as/4", timeout=10)  # another user now
    form = journey.authorize(auth_url)
    assert form.get("error") == "login_required"
    response = journey.tool.post("/lti/launch", data=form)
    assert response.status_code == 400
    assert "Log in to Canvas again" in response.get_data(as_text=True)
    with app.extensions["db"].session() as session:
        assert session.scalars(select(Launch)).first() is None


class CountingHttp(requests.Session):
    """A real HTTP session that counts the JWKS fetches."""

    def __init__(self) -> None:
        super().__init__()
        self.jwks_fetches = 0

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if str(url).endswith("/api/lti/security/jwks"):
            self.jwks_fetches += 1
        return super().get(url, **kwargs)


def test_platform_key_rotation_refetches_jwks_once(
    app: Flask, emulator: LiveEmulator, registration: dict[str, Any]
) -> None:
    runtime: LtiRuntime = app.extensions["lti"]
    http = CountingHttp()
    runtime.keys = PlatformKeySet(runtime.store, http, runtime.now)
    start = datetime.now(UTC)
    app.extensions["clock"] = lambda: start
    path = f"/courses/101/external_tools/{_tool(registration)}?launch_type=course_navigation"

    def launch_status() -> int:
        journey = Journey.as_user(emulator, app, 3)
        return int(journey.launch(path).status_code)

    assert launch_status() == 303
    assert launch_status() == 303
    assert http.jwks_fetches == 1
    requests.post(f"{emulator.url}/_emulator/keys/rotate", timeout=10).raise_for_status()
    assert launch_status() == 303  # the new present key was the published "future" key
    assert http.jwks_fetches == 1
    requests.post(f"{emulator.url}/_emulator/keys/rotate", timeout=10).raise_for_status()
    app.extensions["clock"] = lambda: start + timedelta(seconds=30)
    assert launch_status() == 303  # a kid never seen: one refetch
    assert http.jwks_fetches == 2
    assert launch_status() == 303
    assert http.jwks_fetches == 2
