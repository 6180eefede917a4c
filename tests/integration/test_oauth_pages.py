"""The "Authorize" partial other pages include, and the popup's result page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import g, render_template_string

import app
from app.canvas.errors import CanvasAuthorizationRequired
from app.models.launch import Launch
from tests.integration.oauth_harness import (  # noqa: F401 - the fixture
    CanvasWorld,
    LaunchRef,
    canvas_world_fixture,
)

TINA = 3
PARTIAL = '{% include "oauth/_authorize.html" %}'


def render_partial(canvas: CanvasWorld, launch: LaunchRef) -> str:
    with canvas.app.test_request_context(f"/course?lt={launch.token}"):
        with canvas.db.session() as session:
            g.launch = session.get(Launch, launch.launch_id)
        g.launch_token = launch.token
        return render_template_string(PARTIAL)


def test_partial_offers_authorize_in_a_new_window_when_not_connected(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    html = render_partial(canvas, launch)
    link = re.search(r"<a [^>]*data-oauth-authorize[^>]*>", html)
    assert link is not None
    # back to this page after consent (``return_to``, without the token)
    assert f'href="/oauth/authorize?return_to=/course&amp;lt={launch.token}"' in link.group(0)
    assert 'target="_blank"' in link.group(0)  # never navigates Canvas's iframe itself
    assert "js/oauth.js" in html
    assert "data-oauth-disconnect" not in html


def test_partial_offers_disconnect_once_connected(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    canvas.authorize(launch)
    html = render_partial(canvas, launch)
    assert "data-oauth-authorize" not in html
    form = re.search(r'<form method="post" action="/oauth/disconnect"[^>]*>', html)
    assert form is not None
    assert f'name="lt" value="{launch.token}"' in html
    stored = canvas.stored(TINA)
    assert stored is not None
    assert stored.access_token not in html


def test_result_pages_have_no_inline_script_and_tell_the_opener(canvas: CanvasWorld) -> None:
    response = canvas.authorize(canvas.launch(TINA))
    html = response.get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert 'src="/static/js/oauth.js"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_oauth_js_posts_only_to_its_own_origin() -> None:
    script = (Path(app.__file__).parent / "web/static/js/oauth.js").read_text()
    assert "postMessage(" in script
    assert "window.location.origin" in script
    assert '"*"' not in script  # never a wildcard target origin
    assert "event.origin !== window.location.origin" in script


def handle(canvas: CanvasWorld, launch: LaunchRef | None, accept: str) -> tuple[int, str]:
    """What a page that hit ``CanvasAuthorizationRequired`` answers."""
    path = f"/course?lt={launch.token}" if launch else "/course"
    with canvas.app.test_request_context(path, headers={"Accept": accept}):
        result = canvas.app.handle_user_exception(CanvasAuthorizationRequired("Connect first."))
        response = canvas.app.make_response(result)
        return response.status_code, response.get_data(as_text=True)


def test_authorization_required_pages_offer_authorize(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    status, html = handle(canvas, launch, "text/html")
    assert status == 401
    assert "Connect first." in html
    assert f'href="/oauth/authorize?return_to=/course&amp;lt={launch.token}"' in html


def test_authorization_required_json_names_the_authorize_url(canvas: CanvasWorld) -> None:
    launch = canvas.launch(TINA)
    status, body = handle(canvas, launch, "application/json")
    assert status == 401
    assert json.loads(body) == {
        "error": "canvas_authorization_required",
        "message": "Connect first.",
        "authorize_url": f"/oauth/authorize?lt={launch.token}",
    }


def test_authorization_required_without_a_launch_has_no_button(canvas: CanvasWorld) -> None:
    status, html = handle(canvas, None, "text/html")
    assert status == 401
    assert "data-oauth-authorize" not in html
