"""Requester behaviour that needs exact control of Canvas's answers (timeouts, retry counts)."""

from __future__ import annotations

import pytest
import requests

from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasBadRequest,
    CanvasConflict,
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasThrottled,
    CanvasUnavailable,
    CanvasUnprocessable,
)
from tests.support.canvas_probe import ProbeClient
from tests.unit.canvas.conftest import BASE, UA, RecordingSleep, RotatingTokens
from tests.unit.canvas.fakes import Answer, FakeCanvas

SELF = f"{BASE}/api/v1/users/self"
REPORTS = f"{BASE}/api/v1/accounts/1/reports/grade_export_csv"
ME = {"id": 3, "name": "Tina Teacher"}
CREATED = {"id": 7, "status": "created", "progress": 0, "report": "grade_export_csv"}


def test_every_request_carries_user_agent_accept_bearer_and_timeouts(
    canvas: ProbeClient, fake: FakeCanvas
) -> None:
    fake.script("GET", SELF, Answer(200, ME))
    assert canvas.get_self().name == "Tina Teacher"
    (sent,) = fake.sent
    assert sent.headers["User-Agent"] == UA
    assert sent.headers["Authorization"] == "Bearer token-1"
    assert sent.headers["Accept"] == "application/json"
    assert sent.timeout == (5.0, 30.0)


def test_get_is_retried_on_5xx_until_it_succeeds(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script("GET", SELF, Answer(502, "bad gateway"), Answer(503, "busy"), Answer(200, ME))
    assert canvas.get_self().id == 3
    assert len(fake.sent) == 3
    assert len(sleep.calls) == 2
    assert sleep.calls[1] > sleep.calls[0] / 2  # backoff grows (with jitter)


def test_get_gives_up_after_the_retry_budget(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script("GET", SELF, Answer(500, {"errors": [{"message": "boom"}]}))
    with pytest.raises(CanvasUnavailable, match="boom") as caught:
        canvas.get_self()
    assert caught.value.canvas_status == 500
    assert len(fake.sent) == 4  # first try + 3 retries


def test_get_is_retried_on_timeouts(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script(
        "GET",
        SELF,
        Answer(raises=requests.ReadTimeout("slow")),
        Answer(raises=requests.ConnectionError("reset")),
        Answer(200, ME),
    )
    assert canvas.get_self().id == 3
    assert len(fake.sent) == 3


def test_report_creating_post_is_never_retried_on_5xx(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script("POST", REPORTS, Answer(502, "bad gateway"), Answer(200, CREATED))
    with pytest.raises(CanvasUnavailable):
        canvas.start_account_report(1, "grade_export_csv", {"enrollment_term_id": 1})
    assert len(fake.requests_to("/api/v1/accounts/1/reports/grade_export_csv")) == 1
    assert sleep.calls == []


def test_report_creating_post_is_never_retried_on_timeout(
    canvas: ProbeClient, fake: FakeCanvas
) -> None:
    fake.script("POST", REPORTS, Answer(raises=requests.ReadTimeout("slow")), Answer(200, CREATED))
    with pytest.raises(CanvasUnavailable, match="did not answer in time"):
        canvas.start_account_report(1, "grade_export_csv", {})
    assert len(fake.sent) == 1


def test_report_creating_post_is_retried_after_429_because_canvas_did_no_work(
    canvas: ProbeClient, fake: FakeCanvas
) -> None:
    fake.script(
        "POST",
        REPORTS,
        Answer(429, "429 Too Many Requests (Rate Limit Exceeded)", {"X-Rate-Limit-Remaining": "0"}),
        Answer(200, CREATED, {"X-Rate-Limit-Remaining": "600.0"}),
    )
    report = canvas.start_account_report(1, "grade_export_csv", {"enrollment_term_id": 1})
    assert report.id == 7
    assert len(fake.sent) == 2
    assert fake.sent[1].json() == {"parameters": {"enrollment_term_id": 1}}


def test_legacy_403_rate_limit_is_retried_with_backoff(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script(
        "GET",
        SELF,
        Answer(403, "403 Forbidden (Rate Limit Exceeded)"),
        Answer(403, "403 Forbidden (Rate Limit Exceeded)"),
        Answer(200, ME, {"x-rate-limit-remaining": "420.5"}),
    )
    assert canvas.get_self().id == 3
    assert canvas.rate_limit_remaining == 420.5
    assert len(sleep.calls) >= 2


def test_throttling_that_never_ends_raises_canvas_throttled(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script("GET", SELF, Answer(429, "429 Too Many Requests (Rate Limit Exceeded)"))
    with pytest.raises(CanvasThrottled):
        canvas.get_self()
    assert len(fake.sent) == 9  # first try + 8 backoffs
    assert max(sleep.calls) <= 30.0


def test_low_budget_makes_the_client_pause_before_the_next_request(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script("GET", SELF, Answer(200, ME, {"X-Rate-Limit-Remaining": "20.0"}))
    canvas.get_self()
    assert sleep.calls == []
    canvas.get_self()
    # (150 - 20) / 10 units per second = 13 s, capped at 10 s, jittered by +-25 %.
    assert len(sleep.calls) == 1
    assert 7.5 <= sleep.calls[0] <= 10.0


def test_plenty_of_budget_means_no_pause(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    fake.script("GET", SELF, Answer(200, ME, {"X-Rate-Limit-Remaining": "650.0"}))
    for _ in range(3):
        canvas.get_self()
    assert sleep.calls == []


def test_401_with_www_authenticate_refreshes_once_and_retries(
    canvas: ProbeClient, fake: FakeCanvas, tokens: RotatingTokens
) -> None:
    expired = Answer(
        401,
        {"errors": [{"message": "Expired access token."}]},
        {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
    )
    fake.script("GET", SELF, expired, Answer(200, ME))
    assert canvas.get_self().id == 3
    assert tokens.refreshes == 1
    assert [s.headers["Authorization"] for s in fake.sent] == ["Bearer token-1", "Bearer token-2"]


def test_a_refreshed_token_that_is_also_rejected_requires_authorization(
    canvas: ProbeClient, fake: FakeCanvas, tokens: RotatingTokens
) -> None:
    invalid = Answer(
        401,
        {"errors": [{"message": "Invalid access token."}]},
        {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
    )
    fake.script("GET", SELF, invalid)
    with pytest.raises(CanvasAuthorizationRequired):
        canvas.get_self()
    assert tokens.refreshes == 1
    assert len(fake.sent) == 2


def test_a_token_that_cannot_be_refreshed_requires_authorization(
    static_canvas: ProbeClient, fake: FakeCanvas
) -> None:
    fake.script(
        "GET",
        SELF,
        Answer(401, {"errors": [{"message": "Revoked access token."}]}, {"WWW-Authenticate": "x"}),
    )
    with pytest.raises(CanvasAuthorizationRequired):
        static_canvas.get_self()


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            401,
            {
                "status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}],
            },
            CanvasNotPermitted,
            "user not authorized to perform that action",
        ),
        (
            403,
            {
                "status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}],
            },
            CanvasNotPermitted,
            "user not authorized to perform that action",
        ),
        (
            401,
            {"errors": [{"message": "Insufficient scopes on access token."}]},
            CanvasNotPermitted,
            "Insufficient scopes",
        ),
        (
            404,
            {"errors": [{"message": "The specified resource does not exist."}]},
            CanvasNotFound,
            "does not exist",
        ),
        (
            409,
            {"status": "conflict", "message": "report is already being generated"},
            CanvasConflict,
            "already being generated",
        ),
        (
            422,
            {"status": "unprocessable_entity", "message": "report is not being generated"},
            CanvasUnprocessable,
            "not being generated",
        ),
        (
            400,
            {"error": "invalid enrollment_term_id 'x'"},
            CanvasBadRequest,
            "invalid enrollment_term_id 'x'",
        ),
        (
            400,
            {"status": "bad_request", "message": "invalid quiz report type"},
            CanvasBadRequest,
            "invalid quiz report type",
        ),
        (418, "teapot", CanvasError, "teapot"),
    ],
)
def test_canvas_errors_map_to_typed_exceptions_with_canvas_message(  # noqa: PLR0917
    canvas: ProbeClient,
    fake: FakeCanvas,
    tokens: RotatingTokens,
    status: int,
    body: object,
    error: type[CanvasError],
    message: str,
) -> None:
    fake.script("GET", SELF, Answer(status, body))
    with pytest.raises(error, match=message) as caught:
        canvas.get_self()
    assert type(caught.value) is error
    assert caught.value.canvas_status == status
    assert tokens.refreshes == 0
    assert len(fake.sent) == 1


def test_non_json_success_is_a_canvas_error(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script("GET", SELF, Answer(200, "<html>login</html>"))
    with pytest.raises(CanvasError, match="not JSON"):
        canvas.get_self()


def test_unexpected_shape_is_a_canvas_error(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script("GET", SELF, Answer(200, {"name": "no id"}))
    with pytest.raises(CanvasError, match="unexpected User"):
        canvas.get_self()


def test_api_redirects_are_not_followed(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script("GET", SELF, Answer(302, "", {"Location": "https://evil.test/steal"}))
    with pytest.raises(CanvasError, match="redirect"):
        canvas.get_self()
    assert [s.host for s in fake.sent] == ["canvas.test"]


def test_pagination_follows_lowercase_link_headers(canvas: ProbeClient, fake: FakeCanvas) -> None:
    url = f"{BASE}/api/v1/courses/101/quizzes"
    fake.handle(
        "GET",
        url,
        lambda sent: (
            Answer(200, [{"id": 202, "title": "Two"}])
            if "page=2" in sent.url
            else Answer(
                200,
                [{"id": 201, "title": "One"}],
                {"link": f'<{url}?page=2&per_page=100>; rel="next"'},
            )
        ),
    )
    assert [q.id for q in canvas.list_quizzes(101)] == [201, 202]
    assert "per_page=100" in fake.sent[0].url


def test_pagination_refuses_links_to_another_host(canvas: ProbeClient, fake: FakeCanvas) -> None:
    fake.script(
        "GET",
        f"{BASE}/api/v1/courses/101/quizzes",
        Answer(200, [{"id": 201}], {"Link": '<https://evil.test/api/v1/x>; rel="next"'}),
    )
    with pytest.raises(CanvasError, match="another host"):
        canvas.list_quizzes(101)
    assert {s.host for s in fake.sent} == {"canvas.test"}


def test_a_budget_bounds_timeouts_and_stops_every_retry(
    canvas: ProbeClient, fake: FakeCanvas, sleep: RecordingSleep
) -> None:
    """``CanvasClient.budget`` (report starts): short timeouts, no 5xx or throttle retries,
    and everything back as it was afterwards."""
    fake.script("GET", SELF, Answer(503, "busy"))
    with canvas.budget(2.0), pytest.raises(CanvasUnavailable):
        canvas.get_self()
    assert [sent.timeout for sent in fake.sent] == [(2.0, 2.0)]
    fake.script("GET", SELF, Answer(403, "403 Forbidden (Rate Limit Exceeded)"))
    with canvas.budget(2.0), pytest.raises(CanvasThrottled):
        canvas.get_self()
    assert len(fake.sent) == 2
    assert sleep.calls == []
    fake.script("GET", SELF, Answer(503, "busy"), Answer(200, ME))
    assert canvas.get_self().id == 3  # outside the budget: retried with the usual timeouts
    assert fake.sent[-1].timeout == (5.0, 30.0)
