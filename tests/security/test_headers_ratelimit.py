"""Security headers (CSP frame-ancestors = registered Canvases, and friends) and rate limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.db import Database
from app.lti.registrations import PlatformInput, add_platform
from app.models import Platform
from app.ratelimit import MESSAGE, storage_uri
from tests.security.conftest import make_tool
from tests.security.platform import stored


def _insert(app: Flask, canvas_url: str) -> None:
    """A row as a legacy or hand-edited registration could hold it (add_platform validates)."""
    db: Database = app.extensions["db"]
    with db.session() as session:
        session.add(
            Platform(
                issuer="https://canvas.instructure.com",
                client_id=canvas_url[-12:],
                auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
                auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
                key_set_url="https://sso.canvaslms.com/api/lti/security/jwks",
                canvas_url=canvas_url,
                api_client_id="2",
                api_client_secret_encrypted=app.extensions["secret_box"].encrypt("s"),
            )
        )


def _add(app: Flask, canvas_url: str, issuer: str = "https://canvas.instructure.com") -> None:
    db: Database = app.extensions["db"]
    with db.session() as session:
        add_platform(
            session,
            app.extensions["secret_box"],
            PlatformInput(
                issuer=issuer,
                client_id=canvas_url[-12:],
                deployment_id="1:x",
                auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
                auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
                key_set_url="https://sso.canvaslms.com/api/lti/security/jwks",
                canvas_url=canvas_url,
                api_client_id="2",
                api_client_secret="s",
            ),
        )


def _frame_ancestors(app: Flask, path: str = "/course") -> list[str]:
    policy = app.test_client().get(path).headers["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    return directives["frame-ancestors"].split()


@pytest.fixture
def fresh(tmp_path: Path) -> Flask:
    return make_tool(tmp_path)


def test_frame_ancestors_are_self_until_a_canvas_is_registered(fresh: Flask) -> None:
    assert _frame_ancestors(fresh) == ["'self'"]


def test_frame_ancestors_list_every_registered_canvas_and_nothing_else(fresh: Flask) -> None:
    _add(fresh, "https://school-a.instructure.com")
    _add(fresh, "https://canvas.school-b.edu:8443/")
    for path in ("/course", "/reports/jobs/1", "/does-not-exist"):  # HTML pages
        ancestors = _frame_ancestors(fresh, path)
        assert ancestors == [
            "'self'",
            "https://canvas.instructure.com",
            "https://canvas.school-b.edu:8443",
            "https://school-a.instructure.com",
        ], path


@pytest.mark.parametrize(
    "canvas_url",
    ["https://evil.example;script-src *", "https://a b.example", "javascript://x", "ftp://x.y"],
)
def test_odd_canvas_urls_cannot_inject_policy(fresh: Flask, canvas_url: str) -> None:
    _insert(fresh, canvas_url)
    policy = fresh.test_client().get("/course").headers["Content-Security-Policy"]
    assert "evil" not in policy
    assert "b.example" not in policy
    assert _frame_ancestors(fresh) == ["'self'", "https://canvas.instructure.com"]


def test_json_and_files_are_never_framed(fresh: Flask) -> None:
    _add(fresh, "https://school-a.instructure.com")
    for path in ("/healthz", "/lti_config.json", "/api/jobs"):
        assert _frame_ancestors(fresh, path) == ["'none'"], path


def test_other_security_headers(fresh: Flask) -> None:
    headers = fresh.test_client().get("/course").headers
    policy = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "X-Frame-Options" not in headers  # would stop Canvas from framing the tool
    assert "Strict-Transport-Security" not in headers  # demo over plain HTTP


def test_hsts_in_production(tmp_path: Path) -> None:
    app = make_tool(tmp_path, production=True)
    headers = app.test_client().get("/healthz").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _login(app: Flask, addr: str = "10.0.0.1", **headers: str) -> Any:
    return app.test_client().post(
        "/lti/login",
        data={"iss": "https://nobody.example", "client_id": "1", "login_hint": "x"},
        environ_base={"REMOTE_ADDR": addr},
        headers=headers,
    )


def test_login_is_rate_limited_per_client(tmp_path: Path) -> None:
    app = make_tool(tmp_path, rate_limit_launch="3 per minute")
    assert [_login(app).status_code for _ in range(3)] == [400, 400, 400]
    before = stored(app)
    refused = _login(app)
    assert refused.status_code == 429
    assert MESSAGE in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]
    assert stored(app) == before
    assert _login(app, addr="10.0.0.2").status_code == 400  # another client is not affected
    assert app.test_client().get("/healthz").status_code == 200
    as_json = _login(app, Accept="application/json")
    assert as_json.status_code == 429
    assert as_json.get_json()["error"] == "too_many_requests"


def test_launch_and_oauth_are_rate_limited(tmp_path: Path) -> None:
    app = make_tool(tmp_path, rate_limit_launch="2 per minute", rate_limit_oauth="2 per minute")
    client = app.test_client()
    launches = [client.post("/lti/launch", data={"state": "x"}).status_code for _ in range(3)]
    assert launches == [400, 400, 429]
    callbacks = [client.get("/oauth/callback?state=x").status_code for _ in range(3)]
    assert callbacks[-1] == 429
    assert callbacks[0] != 429


def test_rate_limits_can_be_turned_off(tmp_path: Path) -> None:
    app = make_tool(tmp_path, rate_limits_enabled=False, rate_limit_launch="1 per minute")
    assert [_login(app).status_code for _ in range(3)] == [400, 400, 400]
    assert "rate_limiter" not in app.extensions


def test_rate_limit_storage_follows_redis_url(tmp_path: Path) -> None:
    app = make_tool(tmp_path)
    settings = app.extensions["settings"]
    assert storage_uri(settings) == "memory://"
    assert storage_uri(settings.with_overrides(redis_url="redis://r:6379/0")) == "redis://r:6379/0"


def test_limits_are_shared_by_processes_through_redis(tmp_path: Path, fresh_redis_url: str) -> None:
    """Two app instances (two gunicorn workers) count against one limit in Redis."""
    first = make_tool(tmp_path / "a", redis_url=fresh_redis_url, rate_limit_launch="3 per minute")
    second = make_tool(tmp_path / "b", redis_url=fresh_redis_url, rate_limit_launch="3 per minute")
    assert [_login(first).status_code, _login(second).status_code] == [400, 400]
    assert _login(first).status_code == 400
    assert _login(second).status_code == 429
    assert _login(second, addr="10.9.9.9").status_code == 400
