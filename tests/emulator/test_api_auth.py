"""API authentication, scopes, User-Agent and permissions (reports-api §0, lti-oauth §7.4)."""

from __future__ import annotations

import http.client

import requests

from emulator.api.auth import can_read_statistics
from emulator.api.errors import reject
from emulator.testing import LiveEmulator
from tests.emulator.conftest import USER_AGENT, Api, api_as, api_key, make_token

UNAUTHENTICATED = {"status": "unauthenticated",
                   "errors": [{"message": "user authorization required"}]}
UNAUTHORIZED = {"status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}]}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
REALM = 'Bearer realm="canvas-lms"'


def test_no_credentials_is_unauthenticated(emulator: LiveEmulator) -> None:
    response = api_as(emulator, None).get("/api/v1/accounts/1/reports")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.headers["WWW-Authenticate"] == REALM


def test_invalid_token(emulator: LiveEmulator) -> None:
    response = Api(emulator, "not-a-token").get("/api/v1/users/self")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Invalid access token."}]}
    assert response.headers["WWW-Authenticate"] == REALM


def test_expired_token(emulator: LiveEmulator) -> None:
    token = make_token(emulator.emulator, 1, ttl_seconds=60)
    api = Api(emulator, token)
    assert api.get("/api/v1/users/self").status_code == 200
    emulator.emulator.store.clock.advance(61)
    response = api.get("/api/v1/users/self")
    assert response.status_code == 401
    assert response.json()["errors"] == [{"message": "Expired access token."}]
    assert response.headers["WWW-Authenticate"] == REALM


def test_revoked_token(emulator: LiveEmulator) -> None:
    token = make_token(emulator.emulator, 1)
    emulator.emulator.store.access_tokens[token].revoked = True
    response = Api(emulator, token).get("/api/v1/users/self")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Revoked access token."}]}


def test_token_of_a_disabled_key_is_invalid(emulator: LiveEmulator) -> None:
    key = api_key(emulator.emulator, workflow_state="off")
    token = make_token(emulator.emulator, 1, key=key)
    assert Api(emulator, token).get("/api/v1/users/self").status_code == 401


def test_access_token_query_parameter_works(emulator: LiveEmulator) -> None:
    token = make_token(emulator.emulator, 3)
    response = requests.get(f"{emulator.url}/api/v1/users/self", params={"access_token": token},
                            headers={"User-Agent": USER_AGENT}, timeout=10)
    assert response.status_code == 200
    assert response.json()["id"] == 3


def test_missing_user_agent_is_forbidden(emulator: LiveEmulator) -> None:
    token = make_token(emulator.emulator, 1)
    host, port = emulator.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/api/v1/users/self", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    assert response.status == 403
    response.read()
    connection.close()


def test_scoped_key_allows_only_its_scopes(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1, require_scopes=True,
                 scopes=["url:GET|/api/v1/users/:id",
                         "url:GET|/api/v1/accounts/:account_id/reports"])
    assert api.get("/api/v1/users/self").status_code == 200
    assert api.get("/api/v1/accounts/1/reports").status_code == 200
    denied = api.post("/api/v1/accounts/1/reports/grade_export_csv")
    assert denied.status_code == 401
    assert denied.json() == {"errors": [{"message": "Insufficient scopes on access token."}]}
    assert "WWW-Authenticate" not in denied.headers
    assert api.get("/api/v1/accounts/1/reports/grade_export_csv").status_code == 401


def test_unscoped_key_ignores_scopes(emulator: LiveEmulator) -> None:
    api = api_as(emulator, 1, require_scopes=False, scopes=["url:GET|/api/v1/users/:id"])
    assert api.get("/api/v1/accounts/1/reports").status_code == 200


def test_sub_account_admin_rights_follow_the_account_chain(emulator: LiveEmulator) -> None:
    sam = api_as(emulator, 2)
    assert sam.get("/api/v1/accounts/2/reports").status_code == 200
    for account in (1, 3):
        refused = sam.get(f"/api/v1/accounts/{account}/reports")
        assert refused.status_code == 401
        assert refused.json() == UNAUTHORIZED
        assert "WWW-Authenticate" not in refused.headers
    assert sam.post("/api/v1/courses/101/reports/course_pace_docx",
                    json={"parameters": {"section_ids": []}}).status_code == 200
    assert sam.post("/api/v1/courses/103/reports/course_pace_docx",
                    json={"parameters": {}}).status_code == 401
    ada = api_as(emulator, 1)
    assert all(ada.get(f"/api/v1/accounts/{a}/reports").status_code == 200 for a in (1, 2, 3))


def test_course_staff_and_students(emulator: LiveEmulator) -> None:
    body = {"parameters": {"section_ids": ["1011"]}}
    for user in (3, 4, 5):  # teacher, TA, designer have read_reports
        assert api_as(emulator, user).post("/api/v1/courses/101/reports/course_pace_docx",
                                           json=body).status_code == 200
    for user in (10, 6):  # a student; a teacher of another course
        refused = api_as(emulator, user).post("/api/v1/courses/101/reports/course_pace_docx",
                                              json=body)
        assert refused.status_code == 401
        assert refused.json() == UNAUTHORIZED
    assert api_as(emulator, 3).get("/api/v1/accounts/1/reports").status_code == 401


def test_quiz_statistics_permission_helper(emulator: LiveEmulator) -> None:
    store = emulator.emulator.store
    allowed = {uid: can_read_statistics(store, store.users[uid], 101)
               for uid in (1, 2, 3, 4, 5, 6, 10)}
    assert allowed == {1: True, 2: True, 3: True, 4: True, 5: False, 6: False, 10: False}


def test_unauthorized_is_403_with_the_api_auth_error_flag(legacy_emulator: LiveEmulator) -> None:
    refused = api_as(legacy_emulator, 10).get("/api/v1/accounts/1/reports")
    assert refused.status_code == 403
    assert refused.json() == UNAUTHORIZED


def test_not_found_body(emulator: LiveEmulator) -> None:
    response = api_as(emulator, 1).get("/api/v1/accounts/999/reports")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_reject_body_uses_the_rack_status_symbol() -> None:
    assert reject("report is already being generated", 409).body == {
        "status": "conflict", "message": "report is already being generated"}
    assert reject("x", 422).body["status"] == "unprocessable_entity"
    assert reject("x", 400).body["status"] == "bad_request"
