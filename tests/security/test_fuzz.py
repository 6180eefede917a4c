"""Property-based fuzzing (hypothesis) of login, launch and every form/JSON endpoint.

Properties: the tool never answers 5xx, and a refused request (4xx) stores nothing. Launch
fuzzing goes past the state check: every example starts a genuine login (OIDC initiation at
the tool, authorization at the emulator), so its state and nonce are live, and its fuzzed
claim set is signed with the emulator's real platform key, so the checks behind the state
and the signature are exercised. The test counts what the tool answered and fails if too
few examples got past the state check to the claim checks they target.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.db import Database
from app.lti import launch_token as launch_tokens
from app.lti.dynamic_registration import FAILED
from app.models import Platform
from emulator.lti.keys import platform_keys
from emulator.testing import LiveEmulator
from tests.integration.oauth_harness import CanvasWorld, LaunchRef
from tests.security.platform import (
    CLAIM,
    COURSE_NAV,
    Login,
    launch_token,
    start_login,
    stored,
    tool_id,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIAL = st.sampled_from(
    [
        "",
        "http://[::1",
        "https://[bad/lti/launch",
        "0",
        "-1",
        "null",
        "x" * 5000,
        "\x00",
        "%00",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "eyJhbGciOiJub25lIn0.e30.",
        "http://127.0.0.1:5000/lti/launch",
        "https://evil.example/",
        "\u202e\ufeff",
    ]
)
VALUE = st.one_of(st.text(max_size=80), SPECIAL)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

LOGIN_KEYS = [
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "lti_storage_target",
    "canvas_region",
    "canvas_environment",
]


def _check(app: Flask, response: Any, before: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert stored(app) == before


@pytest.fixture(scope="module")
def teacher_token(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> str:
    path = COURSE_NAV.format(tool=tool_id(registration))
    return launch_token(tool, live_canvas, registration, 3, path)


@FUZZ
@given(
    params=st.dictionaries(st.sampled_from(LOGIN_KEYS) | st.text(max_size=10), VALUE, max_size=8),
    method=st.sampled_from(["GET", "POST"]),
    genuine=st.booleans(),
)
def test_login_fuzz(
    tool: Flask, registration: dict[str, Any], params: dict[str, str], method: str, genuine: bool
) -> None:
    if genuine:  # start from a valid initiation, then let the fuzzed fields override
        base = {
            "iss": registration["issuer"],
            "login_hint": "h",
            "target_link_uri": "http://127.0.0.1:5000/lti/launch",
            "client_id": registration["client_id"],
            "lti_deployment_id": registration["deployment_id"],
        }
        params = {**base, **params}
    before = stored(tool)
    client = tool.test_client()
    if method == "GET":
        response = client.get("/lti/login", query_string=params)
    else:
        response = client.post("/lti/login", data=params)
    _check(tool, response, before)


@pytest.fixture(scope="module")
def login(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> Login:
    """One genuine login whose state and nonce stay valid: rejections never spend them."""
    return start_login(tool, live_canvas, registration)


CLAIM_NAMES = [
    "iss", "aud", "azp", "sub", "exp", "iat", "nbf", "nonce", "name",
    CLAIM + "message_type", CLAIM + "version", CLAIM + "deployment_id",
    CLAIM + "target_link_uri", CLAIM + "resource_link", CLAIM + "roles",
    CLAIM + "context", CLAIM + "custom", CLAIM + "launch_presentation",
    "https://www.instructure.com/placement",
]  # fmt: skip

# What the tool answers (app/lti/launch.py) when the state check itself refuses a launch, and
# the two refusals that come before it; every other refusal comes from a later (claim) check.
STATE_REFUSALS = (
    "does not match a login started by this tool",
    "The launch has no state",
    "state was already used",
)
BEFORE_STATE = ("The launch has no id_token", "a parameter is too long")
REACHED = ("accepted", "claim check")
MIN_REACHED = 0.8  # share of examples that must get past the state check


def launch_outcome(response: Any) -> str:
    """Which check answered: ``state`` (or ``before state``), a ``claim check``, or none."""
    if response.status_code in (200, 303):  # landing redirect, or the platform-storage page
        return "accepted"
    if response.status_code == 403:  # every check passed; the role may not use the placement
        return "claim check"
    if response.status_code != 400:
        return f"status {response.status_code}"
    message = str((response.get_json(silent=True) or {}).get("message", ""))
    if any(part in message for part in STATE_REFUSALS):
        return "state"
    if any(part in message for part in BEFORE_STATE):
        return "before state"
    return "claim check"


def sign_any(login: Login, claims: dict[str, Any]) -> str:
    """``claims`` signed with the emulator's present key, whatever their types (pyjwt's own
    ``encode`` refuses e.g. a non-string ``iss``, which must still reach the tool)."""
    keys = platform_keys(login.journey.emulator.emulator)
    payload = json.dumps(claims, separators=(",", ":")).encode()
    headers = {"typ": "JWT", "kid": keys.present.kid}
    return jwt.api_jws.encode(payload, keys.present.private_key, "RS256", headers)


def test_launch_fuzz_signed_claims(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    """Genuinely signed id_tokens with fuzzed claims, each on a fresh login: refused cleanly
    by the claim check it targets, or a valid launch; never stopped at the state check."""
    outcomes: Counter[str] = Counter()

    @FUZZ
    @given(
        changes=st.dictionaries(st.sampled_from(CLAIM_NAMES), JSON_VALUE, min_size=1, max_size=4),
        drop=st.lists(st.sampled_from(CLAIM_NAMES), max_size=2),
    )
    def example(changes: dict[str, Any], drop: list[str]) -> None:
        login = start_login(tool, live_canvas, registration)  # a live state and nonce
        body = {**login.claims, **changes}
        for name in drop:
            body.pop(name, None)
        before = stored(tool)
        response = login.journey.tool.post(
            "/lti/launch",
            data={**login.form, "id_token": sign_any(login, body)},
            headers={"Accept": "application/json"},
        )
        outcomes[launch_outcome(response)] += 1
        _check(tool, response, before)
        assert response.status_code != 303 or _same_launch(body, login.claims), json.dumps(
            changes, default=str
        )[:300]

    example()
    total = sum(outcomes.values())
    reached = sum(outcomes[name] for name in REACHED)
    assert total >= 50, outcomes
    assert reached >= MIN_REACHED * total, (
        f"only {reached} of {total} examples got past the state check: {dict(outcomes)}"
    )


def _same_launch(body: dict[str, Any], genuine: dict[str, Any]) -> bool:
    """A fuzzed token may only succeed if every security-relevant claim is still genuine."""
    keys = ["iss", "aud", "nonce", CLAIM + "deployment_id", CLAIM + "message_type"]
    return all(body.get(key) == genuine.get(key) for key in keys)


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["id_token", "state", "error", "error_description", "lti_storage_target"])
        | st.text(max_size=10),
        VALUE,
        max_size=6,
    ),
    keep_state=st.booleans(),
)
def test_launch_fuzz_form(
    tool: Flask, login: Login, form: dict[str, str], keep_state: bool
) -> None:
    if keep_state:
        form = {**form, "state": login.form["state"]}
    before = stored(tool)
    response = tool.test_client().post(
        "/lti/launch", data=form, headers={"Accept": "application/json"}
    )
    _check(tool, response, before)
    assert response.status_code != 303
    if keep_state:  # the login's state is live (refusals never spend it): not the refusal
        assert launch_outcome(response) != "state", response.get_data(as_text=True)[:300]


@FUZZ
@given(pending_id=VALUE, state=VALUE)
def test_launch_complete_fuzz(tool: Flask, pending_id: str, state: str) -> None:
    before = stored(tool)
    response = tool.test_client().post(
        "/lti/launch/complete", data={"pending_id": pending_id, "state": state}
    )
    _check(tool, response, before)
    assert response.status_code == 400


def _segment(value: str) -> str:
    return quote(value, safe="") or "x"


ROUTES = [
    ("POST", "/reports/account/{s}"),
    ("POST", "/reports/course/{s}"),
    ("POST", "/reports/quiz/{i}"),
    ("POST", "/reports/new_quiz/{i}"),
    ("POST", "/reports/jobs/{i}/{s}"),
    ("POST", "/oauth/disconnect"),
    ("GET", "/reports/account/{s}"),
    ("GET", "/reports/account/{s}/{i}/file"),
    ("GET", "/reports/quiz/{i}"),
    ("GET", "/reports/new_quiz/{i}"),
    ("GET", "/reports/jobs/{i}"),
    ("GET", "/reports/jobs/{i}/download"),
    ("GET", "/reports/jobs/{i}/group.zip"),
    ("GET", "/api/jobs"),
    ("GET", "/api/jobs/{i}"),
    ("GET", "/insights/jobs/{i}"),
    ("GET", "/insights/jobs/{i}/items.csv"),
    ("GET", "/course"),
    ("GET", "/account"),
    ("GET", "/quiz"),
    ("GET", "/oauth/status"),
    ("GET", "/oauth/connect"),
    ("GET", "/oauth/callback"),
]
FIELDS = st.sampled_from(
    ["report_type", "format", "all_versions", "next", "ids", "policy", "split", "section",
     "quiz_id", "assignment_id", "code", "state", "error", "parameters[enrollment_term_id]",
     "parameters[include_deleted]", "reused", "lt"]
) | st.text(max_size=8)  # fmt: skip


@pytest.fixture(scope="module")
def connected_token(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any], teacher_token: str
) -> str:
    """The teacher's launch token after a real OAuth round trip (views reach Canvas)."""
    launch_id = launch_tokens.verify(tool.extensions["settings"], teacher_token)
    db: Database = tool.extensions["db"]
    with db.session() as session:
        platform_id = session.scalars(
            select(Platform.id).where(Platform.issuer == registration["issuer"])
        ).one()
    world = CanvasWorld(tool, live_canvas, platform_id, registration)
    assert world.authorize(LaunchRef(launch_id, teacher_token, 3)).status_code == 200
    return teacher_token


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    number=st.integers(min_value=0, max_value=2**63),
    segment=VALUE,
    fields=st.dictionaries(FIELDS, VALUE, max_size=6),
    as_json=st.booleans(),
)
def test_every_endpoint_fuzz(  # noqa: PLR0917 - hypothesis passes strategies by name
    tool: Flask,
    teacher_token: str,
    route: tuple[str, str],
    number: int,
    segment: str,
    fields: dict[str, str],
    as_json: bool,
) -> None:
    method, template = route
    url = template.format(i=number, s=_segment(segment))
    fields = {k: v for k, v in fields.items() if k != "lt"}
    client = tool.test_client()
    headers = {"Authorization": f"Bearer {teacher_token}"}
    if as_json:
        headers["Accept"] = "application/json"
    before = stored(tool)
    if method == "GET":
        response = client.get(url, query_string=fields, headers=headers)
    else:
        response = client.post(url, data=fields, headers=headers)
    _check(tool, response, before)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    number=st.sampled_from([101, 102, 103, 201, 202, 203, 301, 1, 0, 2**40]),
    segment=st.sampled_from(["student_analysis", "item_analysis", "grade_export_csv", "x"]) | VALUE,
    fields=st.dictionaries(
        FIELDS, st.sampled_from(["student_analysis", "csv", "1"]) | VALUE, max_size=5
    ),
)
def test_every_endpoint_fuzz_with_canvas(  # noqa: PLR0917 - hypothesis passes strategies by name
    tool: Flask,
    connected_token: str,
    route: tuple[str, str],
    number: int,
    segment: str,
    fields: dict[str, str],
) -> None:
    """The same with a Canvas token: the views call the emulator and must still never 5xx."""
    method, template = route
    if template == "/oauth/disconnect":
        return  # would drop the token the other examples need
    url = template.format(i=number, s=_segment(segment))
    fields = {k: v for k, v in fields.items() if k != "lt"}
    client = tool.test_client()
    headers = {"Authorization": f"Bearer {connected_token}"}
    before = stored(tool)
    if method == "GET":
        response = client.get(url, query_string=fields, headers=headers)
    else:
        response = client.post(url, data=fields, headers=headers)
    _check(tool, response, before)


@FUZZ
@given(config_url=VALUE, registration_token=VALUE)
def test_dynamic_registration_fuzz(tool: Flask, config_url: str, registration_token: str) -> None:
    """Only well-formed http(s) URLs are fetched; anything else is a 400 and stores nothing."""
    if config_url.startswith(("http://", "https://")) and "[" not in config_url:
        return  # a real fetch: the dynamic registration tests cover it
    before = stored(tool)
    response = tool.test_client().get(
        "/lti/register",
        query_string={"openid_configuration": config_url, "registration_token": registration_token},
    )
    _check(tool, response, before)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("field", ["target_link_uri", "iss", "client_id", "lti_storage_target"])
def test_login_with_unparsable_url_is_a_400(tool: Flask, field: str) -> None:
    """Regression: an unclosed IPv6 bracket made urlsplit raise (a 500)."""
    data = {
        "iss": "https://canvas.example",
        "client_id": "1",
        "login_hint": "h",
        "target_link_uri": "http://127.0.0.1:5000/lti/launch",
        field: "http://[::1",
    }
    before = stored(tool)
    response = tool.test_client().post("/lti/login", data=data)
    assert response.status_code == 400
    assert stored(tool) == before


def test_registration_with_unparsable_url_is_a_400(tool: Flask) -> None:
    response = tool.test_client().get(
        "/lti/register",
        query_string={"openid_configuration": "http://[::1", "registration_token": "t"},
    )
    assert response.status_code == 400
    assert FAILED in response.get_data(as_text=True)


ACCOUNT_FIELDS = st.sampled_from(
    ["p_enrollment_term_id", "p_enrollment_term", "p_course_id", "p_start_at", "p_end_at",
     "p_enrollment_filter", "p_enrollment_states", "p_include_deleted", "p_order", "p_users",
     "p_courses", "split", "next", "report_type"]
)  # fmt: skip
ACCOUNT_VALUES = st.sampled_from(
    ["1", "2", "101", "0", "-1", "on", "true", "users", "2026-01-01", "2026-12-31", "9999-12-31",
     "0001-01-01", "2026-02-30", "2026-13-01", "2027-01-01T00:00:00Z"]
) | VALUE  # fmt: skip
ACCOUNT_TYPES = st.sampled_from(
    ["grade_export_csv", "provisioning_csv", "last_user_access_csv", "sis_export_csv",
     "student_assignment_outcome_map_csv", "outcome_results_csv", "unpublished_courses_csv"]
) | VALUE  # fmt: skip


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    report_type=ACCOUNT_TYPES,
    fields=st.dictionaries(ACCOUNT_FIELDS, ACCOUNT_VALUES, max_size=6),
    method=st.sampled_from(["GET", "POST"]),
)
def test_account_report_forms_fuzz(
    tool: Flask, connected_admin: str, report_type: str, fields: dict[str, str], method: str
) -> None:
    """An admin's account report forms with fuzzed parameters reach Canvas: never a 5xx."""
    url = f"/reports/account/{_segment(report_type)}"
    headers = {"Authorization": f"Bearer {connected_admin}"}
    before = stored(tool)
    client = tool.test_client()
    if method == "GET":
        response = client.get(url, query_string=fields, headers=headers)
    else:
        response = client.post(url, data=fields, headers=headers)
    _check(tool, response, before)
