"""Dynamic Registration with the live emulator, then a launch through the new registration."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import Settings, loopback_http_origin
from app.models import Platform
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import Journey


@pytest.fixture
def settings(settings: Settings, emulator: LiveEmulator) -> Settings:
    """The live emulator is plain http: allow-list its origin (what the demo does)."""
    origin = loopback_http_origin(emulator.url)
    assert origin is not None
    return settings.with_overrides(registration_http_origins=(origin,))


def _registration_frame(journey: Journey, tool_url: str) -> str:
    page = journey.canvas.get(
        f"{journey.emulator.url}/accounts/1/developer_keys/dynamic_registration",
        params={"registration_url": f"{tool_url}/lti/register"},
        timeout=10,
    )
    page.raise_for_status()
    match = re.search(r'id="registration_frame"[^>]*src="([^"]+)"', page.text)
    assert match, page.text[:400]
    return unescape(match.group(1))


def test_dynamic_registration_then_launch(
    app: Flask, emulator: LiveEmulator, settings: Settings
) -> None:
    admin = Journey.as_user(emulator, app, 1)
    frame = urlsplit(_registration_frame(admin, settings.tool_base_url))
    response = admin.tool.get(f"{frame.path}?{frame.query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "Canvas Reports is registered" in html
    assert "/static/js/lti-register.js" in html
    with app.extensions["db"].session() as session:
        platform = session.scalars(select(Platform)).one()
        assert platform.issuer == emulator.url
        assert platform.canvas_url == emulator.url
        assert len(platform.deployments) == 1
        client_id = platform.client_id
    teacher = Journey.as_user(emulator, app, 3)
    path = f"/courses/101/external_tools/{client_id}?launch_type=course_navigation"
    landing, page = teacher.landing(teacher.launch(path, cookies=False))
    assert landing == "/course"
    assert "Tina Teacher" in page


def test_registration_token_is_single_use(
    app: Flask, emulator: LiveEmulator, settings: Settings
) -> None:
    admin = Journey.as_user(emulator, app, 1)
    frame = urlsplit(_registration_frame(admin, settings.tool_base_url))
    assert admin.tool.get(f"{frame.path}?{frame.query}").status_code == 200
    again = admin.tool.get(f"{frame.path}?{frame.query}")
    assert again.status_code == 400
    assert "did not accept the registration" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "openid_configuration=ftp://x/y&registration_token=t",
        "registration_token=t",
    ],
)
def test_bad_registration_requests_are_refused(app: Flask, query: str) -> None:
    response = app.test_client().get(f"/lti/register?{query}")
    assert response.status_code == 400
    with app.extensions["db"].session() as session:
        assert session.scalars(select(Platform)).first() is None


def test_registration_can_be_turned_off(settings: Settings) -> None:
    app = create_app(settings.with_overrides(allow_dynamic_registration=False))
    response = app.test_client().get(
        "/lti/register?openid_configuration=http://x/y&registration_token=t"
    )
    assert response.status_code == 404
