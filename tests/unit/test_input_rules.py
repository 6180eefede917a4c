"""The input rules (``app/inputs.py``) and where they apply without a live Canvas: ids, log
escaping (text and JSON), CSV formula neutralisation, Canvas URL path segments, and the
dynamic-registration fetch rules (https only, a demo allow-list, no off-origin redirects, one
generic message)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import create_app
from app.canvas.errors import CanvasNotFound
from app.config import DEMO_REGISTRATION_HTTP_ORIGINS, Settings, loopback_http_origin
from app.csv_safety import neutralise
from app.db import Base
from app.errors import BadRequest, ConfigurationError
from app.inputs import (
    MAX_ID,
    escape_controls,
    has_control_characters,
    is_local_return_path,
    parse_id,
    parse_positive_id,
)
from app.insights import export
from app.lti.dynamic_registration import FAILED, ToolRegistration, check_registration_url
from app.models import Platform
from app.observability import build_handler, configure_logging
from app.reports.kinds import ParamKind, ParamSpec, parse_parameters
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.support.canvas_probe import ProbeClient

CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)]

# ---------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("²", None),
        ("١٢", None),
        ("\uff11", None),  # fullwidth digit one
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1_0", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected


@given(st.text(max_size=25))
def test_parse_id_never_raises_and_accepts_only_ascii_digits(text: str) -> None:
    number = parse_id(text)
    if number is None:
        assert not re.fullmatch(r"[0-9]+", text) or int(text) > MAX_ID
    else:
        assert re.fullmatch(r"[0-9]+", text)
        assert number == int(text) <= MAX_ID


def test_parse_positive_id_refuses_zero() -> None:
    assert parse_positive_id("0") is None
    assert parse_positive_id("12") == 12


@pytest.mark.parametrize(("kind", "value"), [(ParamKind.COURSE, "²"), (ParamKind.TERM, "١٢")])
def test_report_parameters_refuse_unicode_digits(kind: ParamKind, value: str) -> None:
    """Regression: ``str.isdigit`` accepted these, then ``int()`` raised (a 500) or read
    another script's digits."""
    spec = ParamSpec(name="p", kind=kind, required=False, description="")
    with pytest.raises(BadRequest):
        parse_parameters([spec], {"p_p": value})
    with pytest.raises(BadRequest):
        parse_parameters([spec], {"p_p": str(MAX_ID + 1)})


# ---------------------------------------------------------------- return paths


@pytest.mark.parametrize("char", CONTROLS)
def test_return_paths_refuse_every_control_character(char: str) -> None:
    assert is_local_return_path("/reports/jobs/1")
    assert not is_local_return_path(f"/reports/jobs/1{char}x")


# ---------------------------------------------------------------- logs


@pytest.mark.parametrize("char", CONTROLS)
def test_escape_controls_escapes_each_control_character(char: str) -> None:
    escaped = escape_controls(f"a{char}b")
    assert not has_control_characters(escaped)
    assert escaped.startswith("a\\")
    assert escaped.endswith("b")


def _format(json_lines: bool, message: str, args: Any, extras: dict[str, Any], exc: Any) -> str:
    handler = build_handler(json_lines=json_lines, stream=io.StringIO())
    record = logging.LogRecord("app.test", logging.WARNING, "f", 1, message, args, exc)
    for key, value in extras.items():
        setattr(record, key, value)
    for check in handler.filters:
        assert check.filter(record)  # type: ignore[union-attr]
    return handler.format(record)


USER_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ =%\n\r\x1b\x85\u2028\u2029")) | st.characters(),
    max_size=40,
)


@given(message=USER_TEXT, argument=USER_TEXT, field=USER_TEXT)
def test_text_log_record_is_one_line_whatever_the_input(
    message: str, argument: str, field: str
) -> None:
    """No input in the message, an argument or an extra field ever starts a new line."""
    line = _format(False, message + " %s", (argument,), {"path": field, "detail": [field]}, None)
    assert not has_control_characters(line), repr(line)
    assert len(line.splitlines()) == 1


@given(message=USER_TEXT, error=USER_TEXT)
def test_text_log_traceback_lines_never_start_at_column_zero(message: str, error: str) -> None:
    exc = ValueError(f"bad {error}\n2026-01-01 00:00:00,000 INFO    [-] app: forged")
    exc_info = (ValueError, exc, None)
    first, *rest = _format(False, message, None, {}, exc_info).split("\n")
    assert not has_control_characters(first)
    assert rest
    assert all(line.startswith("  | ") for line in rest)
    assert all(not has_control_characters(line) for line in rest)


def test_forged_line_in_a_text_log_is_escaped() -> None:
    line = _format(False, "GET %s", ("/reports/x\n2026-01-01 INFO forged",), {}, None)
    assert line.endswith("GET /reports/x\\n2026-01-01 INFO forged")


@given(message=USER_TEXT, field=USER_TEXT)
def test_json_log_record_is_one_line_and_keeps_the_text(message: str, field: str) -> None:
    line = _format(True, "%s", (message,), {"path": field}, None)
    assert "\n" not in line
    assert "\r" not in line
    assert not has_control_characters(line)  # ensure_ascii escapes C1 and U+2028/2029 too
    parsed = json.loads(line)
    assert isinstance(parsed["message"], str)
    assert isinstance(parsed["path"], str)


# ---------------------------------------------------------------- CSV formulas


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+1 formula", "'-1+1 formula"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1+1", "'  =1+1"),
        (" \t\r\n@cmd", "' \t\r\n@cmd"),
        ("\n-2", "'\n-2"),
        ("\n+2", "'\n+2"),
        ("Question 1", "Question 1"),
        ("  a = b", "  a = b"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_csv_text_cells_are_neutralised(text: str, expected: str) -> None:
    assert neutralise(text) == expected


@given(st.text(max_size=20))
def test_no_text_cell_starts_a_formula(text: str) -> None:
    cell = neutralise(text)
    if not cell.startswith("'"):
        assert cell.lstrip(" \t\r\n")[:1] not in {"=", "+", "-", "@"}
        assert not cell.startswith(("\t", "\r"))


def test_numeric_cells_keep_negative_numbers() -> None:
    """Numbers are written by the tool (``_number``), never neutralised: ``-0.25`` stays a
    number a spreadsheet can sum."""
    assert export._number(-0.25) == "-0.25"
    buffer = io.StringIO("".join(export._lines(iter([[export._number(-0.25)]]), ("d",))))
    assert [row["d"] for row in csv.DictReader(buffer)] == ["-0.25"]


# ---------------------------------------------------------------- Canvas URL segments


class _Recorder:
    """Stands in for ``CanvasRequester``: records the path, answers 404."""

    base_url = "https://canvas.example"

    def __init__(self) -> None:
        self.paths: list[str] = []

    def request_json(self, method: str, path: str, **_: Any) -> Any:
        self.paths.append(path)
        raise CanvasNotFound("no")

    def get_pages(self, path: str, **_: Any) -> Any:
        self.paths.append(path)
        raise CanvasNotFound("no")


@pytest.mark.parametrize(
    ("report_type", "segment"),
    [
        ("provisioning_csv", "provisioning_csv"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("%2F", "%252F"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("x y\r\n", "x%20y%0D%0A"),
        ("é", "%C3%A9"),
    ],
)
def test_report_types_are_percent_encoded_in_every_canvas_path(
    report_type: str, segment: str
) -> None:
    recorder = _Recorder()
    client = ProbeClient(cast(Any, recorder))
    calls = [
        lambda: client.start_account_report(1, report_type, {}),
        lambda: client.list_account_reports(1, report_type),
        lambda: client.get_account_report(1, report_type, 5),
        lambda: client.delete_account_report(1, report_type, 5),
        lambda: client.abort_account_report(1, report_type, 5),
        lambda: client.start_course_report(101, report_type, {}),
        lambda: client.get_course_report(101, report_type, 5),
    ]
    for call in calls:
        with pytest.raises(CanvasNotFound):
            call()
    assert client.last_course_report(101, report_type) is None
    assert recorder.paths == [
        f"/api/v1/accounts/1/reports/{segment}",
        f"/api/v1/accounts/1/reports/{segment}",
        f"/api/v1/accounts/1/reports/{segment}/5",
        f"/api/v1/accounts/1/reports/{segment}/5",
        f"/api/v1/accounts/1/reports/{segment}/5/abort",
        f"/api/v1/courses/101/reports/{segment}",
        f"/api/v1/courses/101/reports/{segment}/5",
        f"/api/v1/courses/101/reports/{segment}",
    ]


# ---------------------------------------------------------------- dynamic registration

HTTPS_CONFIG = "https://canvas.example/api/lti/security/openid-configuration"
PLATFORM_CONFIG = {
    "issuer": "https://canvas.example",
    "authorization_endpoint": "https://canvas.example/api/lti/authorize_redirect",
    "token_endpoint": "https://canvas.example/login/oauth2/token",
    "jwks_uri": "https://canvas.example/api/lti/security/jwks",
    "registration_endpoint": "https://canvas.example/api/lti/registrations",
    "https://purl.imsglobal.org/spec/lti-platform-configuration": {},
}


class FakeHttp:
    """A ``requests.Session`` stand-in: canned answers by (method, url), every call kept."""

    def __init__(self, answers: dict[tuple[str, str], requests.Response]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append((method, url, kwargs))
        if (method, url) not in self.answers:
            raise requests.ConnectionError(f"refused: {url}")
        return self.answers[(method, url)]


def answer(status: int, body: Any = None, location: str | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if body is not None else b"SECRET-DETAIL"
    if location is not None:
        response.headers["Location"] = location
    return response


def registration(http: FakeHttp, url: str = HTTPS_CONFIG, origins: tuple[str, ...] = ()) -> Any:
    return ToolRegistration(
        "https://tool.example", url, "reg-token", cast(requests.Session, http), origins
    )


def _refused(run: Any, caplog: pytest.LogCaptureFixture) -> str:
    with (
        caplog.at_level(logging.WARNING, logger="app.lti.dynamic_registration"),
        pytest.raises(BadRequest) as refused,
    ):
        run()
    assert refused.value.message == FAILED
    return caplog.text


def test_https_registration_succeeds_without_following_redirects() -> None:
    http = FakeHttp(
        {
            ("GET", HTTPS_CONFIG): answer(200, PLATFORM_CONFIG),
            ("POST", PLATFORM_CONFIG["registration_endpoint"]): answer(200, {"client_id": "9"}),
        }
    )
    _config, answer_ = registration(http).run()
    assert answer_["client_id"] == "9"
    assert [(m, u) for m, u, _ in http.calls] == [
        ("GET", HTTPS_CONFIG),
        ("POST", PLATFORM_CONFIG["registration_endpoint"]),
    ]
    assert all(kwargs["allow_redirects"] is False for _, _, kwargs in http.calls)


@pytest.mark.parametrize(
    "url",
    [
        "http://canvas.example/config",
        "http://127.0.0.1:5001/config",  # loopback, but not allow-listed
        "ftp://canvas.example/config",
        "file:///etc/passwd",
        "https:///no-host",
        "https://canvas.example/x\r\nX: 1",
        "https://canvas.example:99999/x",
        "http://[::1",
        "javascript:alert(1)",
    ],
)
def test_only_https_configuration_urls_are_fetched(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    http = FakeHttp({})
    log = _refused(lambda: registration(http, url).run(), caplog)
    assert http.calls == []
    assert "not https" in log
    assert "\r\n" not in log.split("dynamic registration failed", 1)[1].split("\n", 1)[0]
    with pytest.raises(BadRequest, match=re.escape(FAILED)):
        check_registration_url(url)


def test_allow_listed_demo_origin_may_use_http() -> None:
    url = "http://localhost:5001/api/lti/security/openid-configuration"
    config = {**PLATFORM_CONFIG, "registration_endpoint": "http://localhost:5001/api/lti/reg"}
    http = FakeHttp(
        {
            ("GET", url): answer(200, config),
            ("POST", "http://localhost:5001/api/lti/reg"): answer(200, {"client_id": 9}),
        }
    )
    origins = (cast(str, loopback_http_origin("http://localhost:5001")),)
    check_registration_url(url, http_origins=origins)
    registration(http, url, origins).run()
    assert len(http.calls) == 2


def test_an_http_registration_endpoint_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    config = {**PLATFORM_CONFIG, "registration_endpoint": "http://canvas.example/reg"}
    http = FakeHttp({("GET", HTTPS_CONFIG): answer(200, config)})
    _refused(lambda: registration(http).run(), caplog)
    assert [(m, u) for m, u, _ in http.calls] == [("GET", HTTPS_CONFIG)]


@pytest.mark.parametrize(
    "location",
    [
        "http://canvas.example/config2",  # downgrade
        "https://evil.example/config",  # other host
        "https://canvas.example:8443/config",  # other port
        "file:///etc/passwd",
    ],
)
def test_redirects_off_the_origin_are_not_followed(
    location: str, caplog: pytest.LogCaptureFixture
) -> None:
    http = FakeHttp({("GET", HTTPS_CONFIG): answer(302, location=location)})
    log = _refused(lambda: registration(http).run(), caplog)
    assert [u for _, u, _ in http.calls] == [HTTPS_CONFIG]
    assert "redirected off-origin" in log


def test_same_origin_redirect_of_the_configuration_is_followed() -> None:
    moved = "https://canvas.example/api/lti/security/openid-configuration/v2"
    http = FakeHttp(
        {
            ("GET", HTTPS_CONFIG): answer(301, location=urlsplit(moved).path),
            ("GET", moved): answer(200, PLATFORM_CONFIG),
            ("POST", PLATFORM_CONFIG["registration_endpoint"]): answer(200, {"client_id": "9"}),
        }
    )
    registration(http).run()
    assert [u for _, u, _ in http.calls][:2] == [HTTPS_CONFIG, moved]


def test_a_redirected_registration_post_is_not_followed(caplog: pytest.LogCaptureFixture) -> None:
    endpoint = str(PLATFORM_CONFIG["registration_endpoint"])
    http = FakeHttp(
        {
            ("GET", HTTPS_CONFIG): answer(200, PLATFORM_CONFIG),
            ("POST", endpoint): answer(307, location=endpoint + "/again"),
        }
    )
    log = _refused(lambda: registration(http).run(), caplog)
    assert len(http.calls) == 2
    assert "HTTP 307" in log


@pytest.mark.parametrize(
    "failing",
    [
        answer(500),
        answer(404),
        answer(200),  # not JSON
        answer(200, ["a list"]),
        answer(200, {"issuer": "only"}),
    ],
)
def test_every_failure_is_the_one_generic_message(
    failing: requests.Response, caplog: pytest.LogCaptureFixture
) -> None:
    http = FakeHttp({("GET", HTTPS_CONFIG): failing})
    log = _refused(lambda: registration(http).run(), caplog)
    assert "dynamic registration failed" in log


def test_the_browser_never_sees_the_fetched_error(tmp_path: Path) -> None:
    """Status, URL and body stay in the log; the page says only the generic message."""
    app = _tool(tmp_path)
    app.extensions["lti"].http = FakeHttp({("GET", HTTPS_CONFIG): answer(500)})
    response = app.test_client().get(
        "/lti/register",
        query_string={"openid_configuration": HTTPS_CONFIG, "registration_token": "t"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert FAILED in page
    for leak in ("500", "SECRET-DETAIL", "canvas.example", "openid-configuration"):
        assert leak not in page.replace("(400)", ""), leak
    with app.extensions["db"].session() as session:
        assert session.scalars(select(Platform)).first() is None


def test_production_never_fetches_http_even_with_an_allow_list(tmp_path: Path) -> None:
    url = "http://localhost:5001/config"
    app = _tool(
        tmp_path,
        production=True,
        registration_http_origins=("http://localhost:5001",),
    )
    http = FakeHttp({})
    app.extensions["lti"].http = http
    response = app.test_client().get(
        "/lti/register", query_string={"openid_configuration": url, "registration_token": "t"}
    )
    assert response.status_code == 400
    assert FAILED in response.get_data(as_text=True)
    assert http.calls == []


def _tool(tmp_path: Path, **overrides: Any) -> Flask:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tool.db'}",
        secret_key="input-rules-secret-" + "x" * 32,
        tool_base_url="http://127.0.0.1:5000",
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        huey_immediate=True,
    ).with_overrides(**overrides)
    app = create_app(settings)
    app.config["TESTING"] = True
    Base.metadata.create_all(app.extensions["db"].engine)
    return app


# ---------------------------------------------------------------- the demo allow-list setting


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"TOOL_INSTANCE_DIR": str(tmp_path), **values}


def test_demo_allows_the_demo_emulator_origins_by_default(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path))
    assert settings.registration_http_origins == tuple(
        loopback_http_origin(o) for o in DEMO_REGISTRATION_HTTP_ORIGINS
    )
    none = Settings.from_env(_env(tmp_path, DYNAMIC_REGISTRATION_HTTP_ORIGINS="none"))
    assert none.registration_http_origins == ()
    custom = Settings.from_env(
        _env(tmp_path, DYNAMIC_REGISTRATION_HTTP_ORIGINS="http://127.0.0.1:6001, http://[::1]")
    )
    assert custom.registration_http_origins == ("http://127.0.0.1:6001", "http://[::1]:80")


@pytest.mark.parametrize(
    "value", ["http://canvas.example", "https://localhost:5001", "http://10.0.0.1", "localhost"]
)
def test_the_allow_list_takes_loopback_http_origins_only(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="loopback"):
        Settings.from_env(_env(tmp_path, DYNAMIC_REGISTRATION_HTTP_ORIGINS=value))


def test_production_refuses_the_allow_list(tmp_path: Path) -> None:
    env = _env(
        tmp_path / "prod",
        TOOL_ENV="production",
        DATABASE_URL="sqlite://",
        SECRET_KEY="p" * 40,
        TOOL_BASE_URL="https://tool.example",
        ENCRYPTION_KEYS=TEST_ENCRYPTION_KEY,
        DYNAMIC_REGISTRATION_HTTP_ORIGINS="http://localhost:5001",
    )
    with pytest.raises(ConfigurationError, match="demo only"):
        Settings.from_env(env)
    del env["DYNAMIC_REGISTRATION_HTTP_ORIGINS"]
    assert Settings.from_env(env).registration_http_origins == ()


def test_a_request_path_cannot_forge_an_access_log_line(app: Flask) -> None:
    """End to end: ``%0a`` in a URL reaches the access line's ``path`` field escaped."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="INFO", json_lines=False, stream=stream)
    try:
        app.test_client().get("/nope%0a2026-01-01%2000:00:00,000%20INFO%20forged%0d%e2%80%a8")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert lines
    assert not any(line.startswith("2026-01-01 00:00:00,000 INFO forged") for line in lines)
    assert any("path=/nope\\n2026-01-01 00:00:00,000 INFO forged\\r\\u2028" in x for x in lines)
