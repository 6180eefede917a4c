"""Structured logs: request ids, JSON/text formats, and the secret-redacting filter."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, observability
from app.config import Settings
from app.errors import ConfigurationError
from app.observability import REDACTED, configure_logging, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.def-123", "abc.def-123"),
        ("GET /reports/course?lt=tok123&x=1", "tok123"),
        ("/oauth/callback?code=the-code&state=the-state", "the-code"),
        ("/oauth/callback?code=the-code&state=the-state", "the-state"),
        (f"id_token={JWT}", JWT),
        (f"posted {JWT} here", JWT),
        ('{"access_token": "1~abcdefghijklmnopqrstuvwx", "x": 1}', "abcdefghijklmnop"),
        ("{'refresh_token': 'r-secret'}", "r-secret"),
        ("client_secret=s3cr3t&grant_type=authorization_code", "s3cr3t"),
        ("token 7~abcdefghijklmnopqrstuvwxyz12 leaked", "abcdefghijklmnopqrstuvwxyz12"),
        ("cipher gAAAAABlZabcdefghijklmnopqrstuvwxyz0123456789", "gAAAAABlZabcdefghij"),
        ("nonce=n-123 login", "n-123"),
        ("api_client_secret=xyz", "xyz"),
    ],
)
def test_redact_removes_secrets(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert REDACTED in redact(text)


@pytest.mark.parametrize(
    "text",
    ["request method=GET path=/reports/course status=200", "job 12 complete", "grade=5"],
)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="DEBUG", json_lines=True, stream=stream)
    yield logging.getLogger("test.logging"), stream
    root.removeHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_arguments_and_extras_are_redacted(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = captured
    log.info("calling %s", "https://canvas/login/oauth2/token?code=abc123")
    log.info(
        "token", extra={"access_token": "plain-token", "code": "not_authorized", "url": "x?lt=T1"}
    )
    first, second = _lines(stream)
    assert "abc123" not in json.dumps(first)
    assert second["access_token"] == REDACTED
    assert second["code"] == "not_authorized"  # error codes stay readable
    assert second["url"] == f"x?lt={REDACTED}"


def test_exceptions_are_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = captured
    error = RuntimeError("refresh failed for refresh_token=r-very-secret")
    log.error("boom", exc_info=(RuntimeError, error, None))
    (line,) = _lines(stream)
    assert "r-very-secret" not in json.dumps(line)
    assert "RuntimeError" in str(line["exc"])


def test_configure_logging_replaces_its_own_handler() -> None:
    root = logging.getLogger()
    level = root.level
    first = configure_logging(level="INFO", json_lines=False, stream=io.StringIO())
    second = configure_logging(level="INFO", json_lines=False, stream=io.StringIO())
    try:
        assert first not in root.handlers
        assert second in root.handlers
    finally:
        root.removeHandler(second)
        root.setLevel(level)


def test_text_format_is_readable(captured: tuple[logging.Logger, io.StringIO]) -> None:
    stream = io.StringIO()
    handler = observability.build_handler(json_lines=False, stream=stream)
    record = logging.LogRecord("app.x", logging.INFO, "f", 1, "job %s done", (7,), None)
    record.job_id = 7
    for check in handler.filters:
        assert check.filter(record)  # type: ignore[union-attr]
    line = handler.format(record)
    assert "INFO" in line
    assert "[-] app.x: job 7 done job_id=7" in line


def test_request_id_is_echoed_or_generated(app: Flask, client: FlaskClient) -> None:
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123.DEF"})
    assert given.headers["X-Request-Id"] == "abc-123.DEF"
    fresh = client.get("/healthz")
    generated = fresh.headers["X-Request-Id"]
    assert len(generated) == 32
    assert generated != client.get("/healthz").headers["X-Request-Id"]


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "new\nline", "a;b"])
def test_unsafe_request_ids_are_replaced(client: FlaskClient, bad: str) -> None:
    response = client.get("/healthz", environ_base={"HTTP_X_REQUEST_ID": bad})
    assert response.headers["X-Request-Id"] != bad
    assert len(response.headers["X-Request-Id"]) == 32


def test_log_lines_carry_the_request_id(
    client: FlaskClient, captured: tuple[logging.Logger, io.StringIO]
) -> None:
    _, stream = captured
    client.get("/healthz?lt=secret-launch-token", headers={"X-Request-Id": "req-42"})
    lines = [line for line in _lines(stream) if line.get("logger") == "app.request"]
    assert lines
    assert lines[-1]["request_id"] == "req-42"
    assert lines[-1]["path"] == "/healthz"
    assert "secret-launch-token" not in stream.getvalue()


def test_refused_requests_get_a_request_id_too(client: FlaskClient) -> None:
    response = client.post("/reports/jobs/1/abort")
    assert response.status_code == 403
    assert response.headers["X-Request-Id"]


def test_log_settings_from_environment(tmp_path: Path) -> None:
    base = {"TOOL_INSTANCE_DIR": str(tmp_path)}
    demo = Settings.from_env(base)
    assert demo.log_json is False
    assert demo.log_level == "INFO"
    verbose = Settings.from_env({**base, "LOG_LEVEL": "debug", "LOG_FORMAT": "json"})
    assert verbose.log_level == "DEBUG"
    assert verbose.log_json is True
    with pytest.raises(ConfigurationError, match="LOG_LEVEL"):
        Settings.from_env({**base, "LOG_LEVEL": "loud"})
    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        Settings.from_env({**base, "LOG_FORMAT": "xml"})


def test_creating_an_app_keeps_a_more_verbose_root_level(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    create_app(settings)
    assert logging.getLogger().level == logging.DEBUG
    logging.getLogger("test.logging").debug("still captured")
    assert "still captured" in caplog.text


def test_probes_are_logged_at_debug_only(client: FlaskClient) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="INFO", json_lines=True, stream=stream)
    try:
        client.get("/healthz")
        client.get("/lti_config.json")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    paths = [line.get("path") for line in _lines(stream) if line.get("logger") == "app.request"]
    assert paths == ["/lti_config.json"]
