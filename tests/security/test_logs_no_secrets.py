"""A full launch, OAuth round trip and report, logged at DEBUG: no secret reaches the log.

Everything that logs in this process goes through the tool's handler: the tool, werkzeug,
urllib3 (the tool's calls to Canvas), Authlib, pylti1p3 and the in-process emulator.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from app.canvas.token_store import TokenStore
from app.db import Database
from app.lti import launch_token as launch_tokens
from app.models import Job, Launch, Platform
from app.observability import configure_logging
from emulator.testing import LiveEmulator
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.integration.launch_helpers import data_attribute, form_fields
from tests.integration.oauth_harness import CanvasWorld, LaunchRef
from tests.security.conftest import make_tool, register
from tests.security.platform import start_login
from tests.support.live import LiveTool, register_tool


@pytest.fixture
def capture() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging(level="DEBUG", json_lines=False, stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_full_flow_logs_no_secret(
    tmp_path: Path, emulator: LiveEmulator, capture: io.StringIO
) -> None:
    app = make_tool(tmp_path)
    capture_handler = configure_logging(level="DEBUG", json_lines=False, stream=capture)
    registration = register(app, emulator)
    secrets: dict[str, str] = {
        "api client secret": registration["api_client_secret"],
        "encryption key": TEST_ENCRYPTION_KEY,
        "secret key": app.extensions["settings"].secret_key,
    }

    # LTI launch
    login = start_login(app, emulator, registration, 3)
    secrets |= {
        "id_token": login.form["id_token"],
        "state": login.form["state"],
        "nonce": login.claims["nonce"],
        "canvas session": login.journey.canvas.cookies.get("canvas_session") or "-",
    }
    landing = login.post()
    assert landing.status_code == 303
    lt = parse_qs(urlsplit(landing.headers["Location"]).query)["lt"][0]
    secrets["launch token"] = lt
    assert app.test_client().get(landing.headers["Location"]).status_code == 200

    # OAuth round trip
    db: Database = app.extensions["db"]
    launch_id = launch_tokens.verify(app.extensions["settings"], lt)
    with db.session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
        assert session.get(Launch, launch_id) is not None
    world = CanvasWorld(app, emulator, platform_id, registration)
    callback = world.consent(world.start(LaunchRef(launch_id, lt, 3)), as_user=3)
    secrets["oauth code"] = parse_qs(urlsplit(callback).query)["code"][0]
    secrets["oauth state"] = parse_qs(urlsplit(callback).query)["state"][0]
    assert world.callback(callback).status_code == 200
    with db.session() as session:
        stored = TokenStore(session, app.extensions["secret_box"]).load(platform_id, 3)
        assert stored is not None
        secrets["access token"] = stored.access_token
        secrets["refresh token"] = stored.refresh_token or "-"

    # A report: start, poll, read its status, download
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {lt}"}
    started = client.post(
        "/reports/quiz/201", data={"report_type": "student_analysis"}, headers=bearer
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:300]
    emulator.emulator.store.clock.advance(5)
    with db.session() as session:
        job_id = session.scalars(select(Job.id)).one()
    client.get(f"/reports/jobs/{job_id}?lt={lt}")
    client.get(f"/api/jobs/{job_id}", headers=bearer)
    client.get(f"/reports/jobs/{job_id}/download?lt={lt}")
    client.post("/oauth/disconnect", headers=bearer)

    logging.getLogger().removeHandler(capture_handler)
    text = capture.getvalue()
    assert text.count("\n") > 20, text  # the flow really logged, at DEBUG too
    assert " DEBUG " in text
    leaked = [name for name, value in secrets.items() if len(value) > 3 and value in text]
    assert not leaked, f"secrets in the log: {leaked}"


def test_live_servers_log_no_secret(
    tmp_path: Path, emulator: LiveEmulator, capture: io.StringIO
) -> None:
    """The same over real HTTP: the tool behind werkzeug's server logs every request line
    (``?lt=``, ``/oauth/callback?code=...``), which must reach the log redacted."""
    with LiveTool(tmp_path) as tool:
        configure_logging(level="DEBUG", json_lines=True, stream=capture)
        registration = register_tool(tool, emulator.url)
        secrets: dict[str, str] = {
            "api client secret": registration["api_client_secret"],
            "encryption key": tool.settings.encryption_keys[0],
            "secret key": tool.settings.secret_key,
        }
        canvas = requests.Session()
        canvas.get(f"{emulator.url}/_emulator/login_as/3", timeout=10).raise_for_status()
        browser = requests.Session()  # the tool's (third-party) side of the browser
        tool_id = registration["deployment_id"].split(":", 1)[0]
        page = canvas.get(
            f"{emulator.url}/courses/101/external_tools/{tool_id}?launch_type=course_navigation",
            timeout=10,
        )
        action = re.search(r'<form id="tool_form" action="([^"]+)"', page.text)
        assert action
        login = browser.post(
            unescape(action.group(1)),
            data=form_fields(page.text),
            allow_redirects=False,
            timeout=10,
        )
        auth_url = (
            login.headers["Location"]
            if login.status_code == 302
            else data_attribute(login.text, "auth-url")
        )
        form = form_fields(canvas.get(auth_url, timeout=10).text)
        secrets |= {"id_token": form["id_token"], "state": form["state"]}
        launched = browser.post(
            f"{tool.url}/lti/launch", data=form, allow_redirects=False, timeout=10
        )
        if launched.status_code == 200:  # no cookie over plain HTTP: platform storage confirms
            launched = browser.post(
                f"{tool.url}/lti/launch/complete",
                data={
                    "pending_id": form_fields(launched.text)["pending_id"],
                    "state": form["state"],
                },
                allow_redirects=False,
                timeout=10,
            )
        assert launched.status_code == 303, launched.text[:300]
        landing = urljoin(tool.url, launched.headers["Location"])
        lt = parse_qs(urlsplit(landing).query)["lt"][0]
        secrets["launch token"] = lt
        assert browser.get(landing, timeout=10).status_code == 200

        authorize = browser.get(
            f"{tool.url}/oauth/authorize", params={"lt": lt}, allow_redirects=False, timeout=10
        )
        consent = canvas.get(authorize.headers["Location"], timeout=10)
        ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text)
        assert ticket
        confirmed = canvas.post(
            f"{emulator.url}/login/oauth2/confirm",
            data={"ticket": ticket.group(1), "decision": "authorize"},
            allow_redirects=False,
            timeout=10,
        )
        callback = confirmed.headers["Location"]
        secrets["oauth code"] = parse_qs(urlsplit(callback).query)["code"][0]
        secrets["oauth state"] = parse_qs(urlsplit(callback).query)["state"][0]
        assert browser.get(callback, timeout=10).status_code == 200
        db: Database = tool.app.extensions["db"]
        with db.session() as session:
            platform_id = session.scalars(select(Platform.id)).one()
            stored = TokenStore(session, tool.app.extensions["secret_box"]).load(platform_id, 3)
            assert stored is not None
            secrets["access token"] = stored.access_token
            secrets["refresh token"] = stored.refresh_token or "-"

        bearer = {"Authorization": f"Bearer {lt}"}
        started = browser.post(
            f"{tool.url}/reports/quiz/201",
            data={"report_type": "student_analysis"},
            headers=bearer,
            allow_redirects=False,
            timeout=10,
        )
        assert started.status_code == 303, started.text[:300]
        with db.session() as session:
            job_id = session.scalars(select(Job.id)).one()
        browser.get(f"{tool.url}/api/jobs/{job_id}", headers=bearer, timeout=10)
        browser.get(f"{tool.url}/reports/jobs/{job_id}", params={"lt": lt}, timeout=10)

    text = capture.getvalue()
    assert "/oauth/callback?code=[REDACTED]" in text  # the request line was logged, redacted
    assert "lt=[REDACTED]" in text
    leaked = [name for name, value in secrets.items() if len(value) > 3 and value in text]
    assert not leaked, f"secrets in the log: {leaked}"
