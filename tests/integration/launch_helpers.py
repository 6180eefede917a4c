"""Drive launches through the live emulator without a browser (HTML forms parsed by hand).

The tool runs in process (Flask test client: its own cookie jar, like the browser's
third-party jar); the emulator runs live, with a ``requests`` session as the Canvas user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient

from emulator.testing import LiveEmulator
from tests.support.live import platform_add_args

_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def form_fields(html: str) -> dict[str, str]:
    return {unescape(k): unescape(v) for k, v in _INPUT.findall(html)}


def data_attribute(html: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', html)
    assert match, f"no data-{name} in page"
    return unescape(match.group(1))


def register(app: Flask, emulator: LiveEmulator) -> dict[str, Any]:
    """Register the tool's /lti_config.json in the emulator, then the answer in the tool."""
    config = app.test_client().get("/lti_config.json").get_json()
    answer = requests.post(
        f"{emulator.url}/_emulator/tools",
        json={"lti_config": config, "api_redirect_uris": [], "require_scopes": False},
        timeout=10,
    )
    answer.raise_for_status()
    registration: dict[str, Any] = answer.json()
    result = app.test_cli_runner().invoke(args=platform_add_args(registration))
    assert result.exit_code == 0, result.output
    return registration


@dataclass
class Journey:
    """One user's browser: a Canvas session and the tool's (third-party) cookie jar."""

    emulator: LiveEmulator
    tool: FlaskClient
    canvas: requests.Session

    @classmethod
    def as_user(cls, emulator: LiveEmulator, app: Flask, user_id: int) -> Journey:
        canvas = requests.Session()
        canvas.get(f"{emulator.url}/_emulator/login_as/{user_id}", timeout=10).raise_for_status()
        return cls(emulator, app.test_client(), canvas)

    def login_params(self, path: str) -> tuple[str, dict[str, str]]:
        """Open a Canvas launch page; returns (login URL, login initiation fields)."""
        page = self.canvas.get(f"{self.emulator.url}{path}", timeout=10)
        page.raise_for_status()
        action = re.search(r'<form id="tool_form" action="([^"]+)"', page.text)
        assert action, page.text[:500]
        return unescape(action.group(1)), form_fields(page.text)

    def authorize(self, auth_url: str) -> dict[str, str]:
        """Follow the browser to Canvas's auth endpoint; returns the auto-posted form."""
        response = self.canvas.get(auth_url, timeout=10)
        response.raise_for_status()
        return form_fields(response.text)

    def launch(self, path: str, *, cookies: bool = True) -> Any:
        """Run the whole launch; returns the tool's final response (landing redirect or error).

        ``cookies=False`` drops the tool's cookie jar between login and launch, as a browser
        that blocks third-party cookies would; the page then confirms the state through
        platform storage, which this helper plays by reading the state the login stored.
        """
        login_url, params = self.login_params(path)
        assert urlsplit(login_url).path == "/lti/login"
        answer = self.tool.post("/lti/login", data=params)
        if answer.status_code == 302:
            auth_url = answer.headers["Location"]
            stored_state = parse_qs(urlsplit(auth_url).query)["state"][0]
        else:
            assert answer.status_code == 200, answer.get_data(as_text=True)
            html = answer.get_data(as_text=True)
            auth_url = data_attribute(html, "auth-url")
            stored_state = data_attribute(html, "state")  # what lti.put_data stored
        form = self.authorize(auth_url)
        if not cookies:
            self.tool.delete_cookie(f"lti1p3-{stored_state}")
        response = self.tool.post("/lti/launch", data=form)
        if response.status_code == 200 and 'id="lti-launch"' in response.get_data(as_text=True):
            html = response.get_data(as_text=True)
            assert data_attribute(html, "state") == form["state"]
            # lti.get_data("state-<state>") answers what the login page stored.
            response = self.tool.post(
                "/lti/launch/complete",
                data={"pending_id": form_fields(html)["pending_id"], "state": stored_state},
            )
        return response

    def landing(self, response: Any) -> tuple[str, str]:
        """Follow the launch's redirect; returns (landing path, page HTML)."""
        assert response.status_code == 303, response.get_data(as_text=True)
        location = response.headers["Location"]
        page = self.tool.get(location)
        assert page.status_code == 200, page.get_data(as_text=True)
        return urlsplit(location).path, page.get_data(as_text=True)
