"""CSRF and open-redirect checks.

CSRF: the tool has no session cookie; a state-changing request names its launch only through
``Authorization: Bearer`` or the form body, which a forging site cannot make a browser add.
Every POST route of the app (found from the URL map, so a new one is covered automatically)
is refused when its launch token comes in the query string or a JSON body, and accepted past
authentication when it comes in the header. The OIDC login and launch endpoints are the
exceptions by protocol (Canvas form-posts them; they are protected by state and nonce).

Redirects: every redirect the tool answers goes to the tool itself or to the registered
Canvas; parameters (``next``, ``redirect_uri``, ``target_link_uri``) cannot point elsewhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing.converters import NumberConverter

from app.errors import BadRequest
from app.inputs import has_control_characters, is_local_return_path
from app.web import inputs as web_inputs
from app.web.reports import common as reports_views
from emulator.testing import LiveEmulator
from tests.integration.launch_helpers import data_attribute
from tests.security.platform import COURSE_NAV, launch_token, stored, tool_id

PROTOCOL_EXCEPTIONS = {"/lti/login", "/lti/launch", "/lti/launch/complete"}
DUMMY = {"int": "101", "default": "grade_export_csv", "string": "grade_export_csv"}


def post_routes(app: Flask) -> list[str]:
    """Every POST URL of the app with its converters filled with plausible values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule in PROTOCOL_EXCEPTIONS:
            continue
        url = rule.rule
        for argument in rule.arguments:
            numeric = isinstance(rule._converters[argument], NumberConverter)
            value = DUMMY["int"] if numeric else DUMMY["string"]
            if argument == "action":
                value = "abort"
            url = url.replace(f"<{argument}>", value)
            url = url.replace(f"<int:{argument}>", value)
        urls.append(url)
    return sorted(urls)


@pytest.fixture(scope="module")
def teacher_token(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> str:
    path = COURSE_NAV.format(tool=tool_id(registration))
    return launch_token(tool, live_canvas, registration, 3, path)


def test_every_post_route_is_listed(tool: Flask) -> None:
    routes = post_routes(tool)
    assert "/oauth/disconnect" in routes
    assert "/reports/jobs/101/abort" in routes
    assert len(routes) >= 6, routes


def test_token_in_query_string_does_not_authorize_a_post(tool: Flask, teacher_token: str) -> None:
    for url in post_routes(tool):
        before = stored(tool)
        response = tool.test_client().post(f"{url}?lt={teacher_token}")
        assert response.status_code == 403, (url, response.status_code)
        assert stored(tool) == before, url


def test_token_in_a_json_body_does_not_authorize_a_post(tool: Flask, teacher_token: str) -> None:
    for url in post_routes(tool):
        response = tool.test_client().post(url, json={"lt": teacher_token})
        assert response.status_code == 403, (url, response.status_code)


def test_cross_site_form_without_token_is_refused(tool: Flask) -> None:
    """What a forging page can send: a form post with the victim's cookies, no token."""
    for url in post_routes(tool):
        response = tool.test_client().post(
            url, data={"report_type": "x"}, headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 403, url


def test_token_in_header_or_form_body_passes_authentication(
    tool: Flask, teacher_token: str
) -> None:
    """The control: the same requests get past the launch check (whatever happens next)."""
    for url in post_routes(tool):
        by_header = tool.test_client().post(
            url, headers={"Authorization": f"Bearer {teacher_token}"}
        )
        by_form = tool.test_client().post(url, data={"lt": teacher_token})
        for response in (by_header, by_form):
            body = response.get_data(as_text=True)
            assert "needs a launch" not in body, url
            assert "session has expired" not in body, url


HOSTILE_NEXT = [
    "https://evil.example/reports/x",
    "//evil.example/reports/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/reports//evil.example",
    "/reports/..//evil.example",
    "/reports/\\evil.example",
    "javascript:alert(1)",
    " https://evil.example",
    "\t//evil.example",
    "/reports/%2F%2Fevil.example",
    "http:/evil.example",
]


def _back_location(app: Flask, next_value: str) -> str | None:
    """Where a job action would send the browser, or None when ``next`` is refused (a 400
    raised before the action changes anything)."""
    with app.test_request_context(
        "/reports/jobs/1/abort", method="POST", data={"next": next_value, "lt": "T"}
    ):
        g.launch_token = "T"  # what launch_required sets for a verified token
        try:
            target = web_inputs.return_target()
        except BadRequest:
            return None
        response: Any = reports_views._back("/reports/jobs/1?lt=T", target)
        return str(response.headers["Location"])


def _assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme == "", location
    assert parts.netloc == "", location
    assert location.startswith("/reports/"), location
    assert not location.startswith("//"), location
    assert "\\" not in location
    assert not has_control_characters(location), location


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_next_cannot_leave_the_tool(tool: Flask, value: str) -> None:
    location = _back_location(tool, value)
    if value == "/reports/%2F%2Fevil.example":  # encoded slashes: a local path, kept
        assert location == value + "?lt=T"
    else:
        assert location is None, (value, location)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60) | st.text(max_size=40).map(lambda tail: "/reports/" + tail))
def test_next_property_never_off_site(tool: Flask, value: str) -> None:
    location = _back_location(tool, value)
    if location is None:  # refused: the rule says why
        assert not is_local_return_path(value)
    else:
        _assert_local(location)


def test_a_local_next_is_honoured(tool: Flask) -> None:
    assert _back_location(tool, "/reports/course") == "/reports/course?lt=T"
    assert _back_location(tool, "/reports/quiz/201?tab=1") == "/reports/quiz/201?tab=1&lt=T"
    assert _back_location(tool, "") == "/reports/jobs/1?lt=T"  # no next: the job page


def test_oauth_authorize_goes_to_the_registered_canvas_only(
    tool: Flask, teacher_token: str, registration: dict[str, Any]
) -> None:
    response = tool.test_client().get(
        "/oauth/authorize",
        query_string={
            "lt": teacher_token,
            "redirect_uri": "https://evil.example/cb",
            "next": "https://evil.example",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    canvas = urlsplit(registration["canvas_url"])
    assert location.netloc == canvas.netloc
    query = parse_qs(location.query)
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/oauth/callback"]


@pytest.mark.parametrize(
    "params",
    [
        {"target_link_uri": "https://evil.example/lti/launch"},
        {"target_link_uri": "//evil.example/lti/launch"},
        {"iss": "https://evil.example"},
        {"client_id": "99999"},
        {"redirect_uri": "https://evil.example"},
    ],
)
def test_login_never_redirects_off_the_registered_platform(
    tool: Flask, registration: dict[str, Any], params: dict[str, str]
) -> None:
    base = {
        "iss": registration["issuer"],
        "login_hint": "hint",
        "target_link_uri": "http://127.0.0.1:5000/lti/launch",
        "client_id": registration["client_id"],
        "lti_deployment_id": registration["deployment_id"],
    }
    response = tool.test_client().post("/lti/login", data={**base, **params})
    if response.status_code == 400:
        return  # refused: no redirect at all
    if response.status_code == 302:
        auth_url = response.headers["Location"]
    else:
        assert response.status_code == 200, response.status_code
        auth_url = data_attribute(response.get_data(as_text=True), "auth-url")
    location = urlsplit(auth_url)
    assert location.netloc == urlsplit(registration["auth_login_url"]).netloc
    assert parse_qs(location.query)["redirect_uri"] == ["http://127.0.0.1:5000/lti/launch"]
