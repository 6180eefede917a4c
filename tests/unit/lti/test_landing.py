"""Landing pages per placement, security headers, lti_config.json, locale selection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import i18n
from app.lti.config_json import PLACEHOLDER_BASE_URL, tool_configuration
from tests.unit.lti import fakes
from tests.unit.lti.fakes import CLAIM

REPO = Path(__file__).resolve().parents[3]


def _launch(client: FlaskClient, canvas: fakes.FakeCanvas, **overrides: Any) -> tuple[str, str]:
    state, nonce, _ = fakes.login(client)
    token = canvas.sign(canvas.claims(nonce, **overrides))
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    return urlsplit(location).path, parse_qs(urlsplit(location).query)["lt"][0]


ACCOUNT = {
    "https://www.instructure.com/placement": "account_navigation",
    CLAIM + "roles": fakes.ADMIN,
    CLAIM + "context": {"id": "acct1", "title": "State University"},
    CLAIM + "custom": {
        "canvas_account_id": "1",
        "canvas_course_id": "$Canvas.course.id",
        "canvas_membership_roles": "Account Admin",
        "canvas_user_id": "1",
    },
    "name": "Ada Admin",
}


def _quiz(target: str, placement: str = "quiz_menu") -> dict[str, Any]:
    return {
        "https://www.instructure.com/placement": placement,
        CLAIM + "target_link_uri": target,
    }


def test_course_landing_is_the_course_reports_asking_for_canvas_in_place(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    path, token = _launch(client, canvas)
    assert path == "/course"
    response = client.get(path, query_string={"lt": token})
    assert response.status_code == 200  # the page's first state, not an error
    html = response.get_data(as_text=True)
    assert "<h1>Course reports</h1>" in html
    assert 'data-testid="launch-facts"' in html  # who and where: the compact header
    assert "Tina Teacher" in html
    assert "Biology 101" in html
    assert '<span class="who-role">Teacher</span>' in html
    assert 'data-testid="oauth-authorize"' in html
    assert "return_to=/course" in html  # after consent: this very page
    assert "Course reports and quizzes" not in html  # no button to a page in between
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


def test_account_landing_for_admin(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    path, token = _launch(client, canvas, **ACCOUNT)
    assert path == "/account"
    response = client.get(path, query_string={"lt": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Account reports</h1>" in html
    assert "Ada Admin" in html
    assert "State University" in html
    assert '<span class="who-role">Administrator</span>' in html
    assert "return_to=/account" in html


def test_account_navigation_refuses_teacher(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    state, nonce, _ = fakes.login(client)
    body = canvas.claims(nonce, **{**ACCOUNT, CLAIM + "roles": fakes.TEACHER})
    body[CLAIM + "custom"] = {
        "canvas_account_id": "1",
        "canvas_membership_roles": "TeacherEnrollment",
    }
    response = client.post("/lti/launch", data={"id_token": canvas.sign(body), "state": state})
    assert response.status_code == 403
    assert "administrators only" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "claims",
    [
        _quiz(f"{fakes.TOOL}/lti/launch?quizzes[]=201"),
        _quiz(f"{fakes.TOOL}/lti/launch?assignments[]=301", "assignment_menu"),
        _quiz(f"{fakes.TOOL}/lti/launch", "quiz_index_menu"),
    ],
)
def test_quiz_landing_asks_for_canvas_in_place(
    client: FlaskClient, canvas: fakes.FakeCanvas, claims: dict[str, Any]
) -> None:
    path, token = _launch(client, canvas, **claims)
    assert path == "/quiz"
    response = client.get(path, query_string={"lt": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Quiz analysis</h1>" in html
    assert "return_to=/quiz" in html


def test_landing_of_another_placement_is_refused(
    client: FlaskClient, canvas: fakes.FakeCanvas
) -> None:
    _, token = _launch(client, canvas)
    response = client.get("/account", query_string={"lt": token})
    assert response.status_code == 403


def test_security_headers(client: FlaskClient, canvas: fakes.FakeCanvas) -> None:
    path, token = _launch(client, canvas)
    response = client.get(path, query_string={"lt": token})
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://canvas.test.example https://school.test.example" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)


def test_lti_config_json_serves_absolute_urls(client: FlaskClient) -> None:
    body = client.get("/lti_config.json").get_json()
    assert body["oidc_initiation_url"] == "http://127.0.0.1:5000/lti/login"
    assert body["target_link_uri"] == "http://127.0.0.1:5000/lti/launch"
    assert body["public_jwk_url"] == "http://127.0.0.1:5000/.well-known/jwks.json"
    placements = {p["placement"]: p for p in body["extensions"][0]["settings"]["placements"]}
    assert set(placements) == {
        "course_navigation",
        "account_navigation",
        "quiz_menu",
        "assignment_menu",
    }
    assert placements["course_navigation"]["visibility"] == "admins"
    assert body["extensions"][0]["privacy_level"] == "public"
    for field in (
        "canvas_api_base_url",
        "canvas_api_domain",
        "canvas_membership_roles",
        "canvas_user_locale",
    ):
        assert field in body["custom_fields"]


def test_repository_lti_config_matches_generator() -> None:
    on_disk = json.loads((REPO / "lti_config.json").read_text())
    assert on_disk == tool_configuration(PLACEHOLDER_BASE_URL)


def test_locale_follows_launch(
    client: FlaskClient, canvas: fakes.FakeCanvas, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "available_locales", lambda: ["en", "de"])
    custom = dict(canvas.claims("n")[CLAIM + "custom"], canvas_user_locale="de")
    path, token = _launch(client, canvas, **{CLAIM + "custom": custom})
    html = client.get(path, query_string={"lt": token}).get_data(as_text=True)
    assert '<html lang="de">' in html
    error = client.get("/nowhere", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in error.get_data(as_text=True)
    assert error.status_code == 404


def test_non_page_responses_get_a_closed_csp(client: FlaskClient) -> None:
    for path in ("/lti_config.json", "/.well-known/jwks.json", "/static/js/lti.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
