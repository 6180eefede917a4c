"""A full launch, OAuth round trip and report, logged at DEBUG: no secret reaches the log.

Everything that logs in this process goes through the tool's handler: the tool, werkzeug,
urllib3 (the tool's calls to Canvas), Authlib, pylti1p3 and the in-process emulator.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.canvas.token_store import TokenStore
from app.db import Database
from app.lti import launch_token as launch_tokens
from app.models import Job, Launch, Platform
from app.observability import configure_logging
from emulator.testing import LiveEmulator
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.integration.oauth_harness import CanvasWorld, LaunchRef
from tests.security.conftest import make_tool, register
from tests.security.platform import start_login


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
