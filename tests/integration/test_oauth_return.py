"""Authorization asked in place: after consent the user continues on the page they wanted.

``/oauth/authorize?return_to=<tool page>`` remembers the page with the OAuth state (shared
store, 10 minutes); the callback's success page links there with a fresh launch token (and
``oauth.js`` goes there when no opener page can reload). Bad targets are refused first.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from app.models.launch import Launch
from tests.integration.oauth_harness import (  # noqa: F401 - the fixture
    CanvasWorld,
    LaunchRef,
    canvas_world_fixture,
)

TINA = 3
TEACHER = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


def teacher_launch(canvas: CanvasWorld) -> LaunchRef:
    launch = canvas.launch(TINA)
    with canvas.db.session() as session, session.begin():
        row = session.get(Launch, launch.launch_id)
        assert row is not None
        row.roles = TEACHER
    return launch


def test_the_callback_continues_on_the_page_the_user_wanted(canvas: CanvasWorld) -> None:
    launch = teacher_launch(canvas)
    tool = canvas.app.test_client()
    start = tool.get(f"/oauth/authorize?lt={launch.token}&return_to=" + quote("/course?q=a b"))
    assert start.status_code == 302
    done = canvas.callback(canvas.consent(start.headers["Location"], as_user=TINA))
    assert done.status_code == 200, done.get_data(as_text=True)
    html = done.get_data(as_text=True)
    found = re.search(r'href="([^"]+)" data-oauth-continue', html)
    assert found is not None
    target = unescape(found.group(1))
    assert target.startswith("/course?q=a b&lt=")
    assert tool.get(target).status_code == 200  # the fresh token opens that launch's page


def test_without_return_to_the_popup_only_closes(canvas: CanvasWorld) -> None:
    done = canvas.authorize(canvas.launch(TINA))
    assert done.status_code == 200
    assert "data-oauth-continue" not in done.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/lti/login",
        "/reports/%0d%0aX",
        "/reports/..%2Flti",
        "/reports/\\evil",
        "/reports/" + "a" * 3000,
    ],
)
def test_a_return_to_off_the_tool_is_refused_before_anything_is_stored(
    canvas: CanvasWorld, target: str
) -> None:
    launch = canvas.launch(TINA)
    page = canvas.app.test_client().get(
        f"/oauth/authorize?lt={launch.token}&return_to={quote(target, safe='/%')}"
    )
    assert page.status_code == 400
    assert "return_to must be a page of this tool" in page.get_data(as_text=True)


def test_the_authorize_link_of_a_page_names_that_page(canvas: CanvasWorld) -> None:
    launch = teacher_launch(canvas)
    page = canvas.app.test_client().get(f"/course?lt={launch.token}")
    assert page.status_code == 200
    assert f'href="/oauth/authorize?return_to=/course&amp;lt={launch.token}"' in page.get_data(
        as_text=True
    )
