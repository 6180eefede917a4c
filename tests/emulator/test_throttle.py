"""The leaky-bucket throttle (lti-oauth.md §7.5) against the store clock."""

from __future__ import annotations

from contextlib import ExitStack

import requests

from emulator.api import throttle
from emulator.testing import LiveEmulator
from tests.emulator.conftest import Api, api_as

LIMITED_429 = "429 Too Many Requests (Rate Limit Exceeded)"


def test_headers_on_every_api_response(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    first = api.get("/api/v1/users/self")
    assert first.headers["X-Request-Cost"] == "1.0"
    assert first.headers["X-Rate-Limit-Remaining"] == "699.0"
    second = api.post("/api/v1/accounts/1/reports/grade_export_csv")
    assert second.headers["X-Request-Cost"] == "2.0"
    assert second.headers["X-Rate-Limit-Remaining"] == "697.0"
    refused = api_as(frozen, 10).get("/api/v1/accounts/1/reports")  # errors are charged too
    assert refused.status_code == 401
    assert "X-Request-Cost" in refused.headers
    invalid = Api(frozen, "bogus").get("/api/v1/users/self")
    assert invalid.status_code == 401
    assert invalid.headers["X-Rate-Limit-Remaining"] == "699.0"


def test_buckets_are_per_token(frozen: LiveEmulator) -> None:
    first, second = api_as(frozen, 1), api_as(frozen, 1)
    first.get("/api/v1/users/self")
    first.get("/api/v1/users/self")
    assert second.get("/api/v1/users/self").headers["X-Rate-Limit-Remaining"] == "699.0"


def test_drained_bucket_gives_429_then_outflow_refills(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    assert api.token is not None
    throttle.drain(frozen.emulator, api.token)
    refused = api.get("/api/v1/users/self")
    assert refused.status_code == 429
    assert refused.text == LIMITED_429
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.headers["X-Rate-Limit-Remaining"] == "0.0"
    assert "Retry-After" not in refused.headers
    frozen.emulator.store.clock.advance(0.5)  # 5 units leak out: still at or above the mark?
    assert api.get("/api/v1/users/self").status_code == 200
    frozen.emulator.store.clock.advance(10)  # 100 units more
    ok = api.get("/api/v1/users/self")
    assert float(ok.headers["X-Rate-Limit-Remaining"]) > 90


def test_level_at_the_mark_is_refused(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    assert api.token is not None
    with frozen.emulator.store.lock:
        throttle.bucket_for(frozen.emulator, api.token).level = 699.9
    assert api.get("/api/v1/users/self").status_code == 200  # below the mark: admitted
    assert api.get("/api/v1/users/self").status_code == 429  # 699.9 + 1.0 >= 700


def test_up_front_cost_is_reserved_while_in_flight(frozen: LiveEmulator) -> None:
    emulator = frozen.emulator
    with frozen.app.test_request_context("/api/v1/users/self"):
        assert throttle.begin("parallel") is None
        assert throttle.remaining(emulator, "parallel") == 650.0
        response = throttle.finish(frozen.app.response_class("{}"))
    assert response.headers["X-Request-Cost"] == "1.0"
    assert throttle.remaining(emulator, "parallel") == 699.0


def test_fourteen_parallel_requests_fill_the_bucket(frozen: LiveEmulator) -> None:
    with ExitStack() as in_flight:  # 14 requests still running: 14 x 50 reserved
        for _ in range(14):
            in_flight.enter_context(frozen.app.test_request_context("/api/v1/users/self"))
            assert throttle.begin("burst") is None
        with frozen.app.test_request_context("/api/v1/users/self"):
            refused = throttle.begin("burst")
        assert refused is not None
        assert refused.status_code == 429


def test_charge_adds_to_the_final_cost(frozen: LiveEmulator) -> None:
    emulator = frozen.emulator
    throttle.charge(emulator, "token-call", 200)  # outside a request: straight into the bucket
    assert throttle.remaining(emulator, "token-call") == 500.0
    with frozen.app.test_request_context("/login/oauth2/token", method="POST"):
        throttle.begin("token-call")
        throttle.charge(emulator, "token-call", 200)
        response = throttle.finish(frozen.app.response_class("{}"))
    assert response.headers["X-Request-Cost"] == "202.0"
    assert throttle.remaining(emulator, "token-call") == 298.0


def test_forced_rejections_then_normal(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    response = requests.post(f"{frozen.url}/_emulator/throttle/reject", json={"count": 2},
                             timeout=10)
    assert response.status_code == 200
    assert [api.get("/api/v1/users/self").status_code for _ in range(3)] == [429, 429, 200]


def test_drain_over_http(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 1)
    assert requests.post(f"{frozen.url}/_emulator/throttle/drain", json={},
                         timeout=10).status_code == 400
    requests.post(f"{frozen.url}/_emulator/throttle/drain", json={"token": api.token}, timeout=10)
    assert api.get("/api/v1/users/self").status_code == 429


def test_legacy_403(legacy_emulator: LiveEmulator) -> None:
    legacy_emulator.emulator.store.clock.freeze()
    api = api_as(legacy_emulator, 1)
    assert api.token is not None
    throttle.drain(legacy_emulator.emulator, api.token)
    refused = api.get("/api/v1/users/self")
    assert refused.status_code == 403
    assert refused.text == "403 Forbidden (Rate Limit Exceeded)"


def test_a_request_that_dies_still_gets_its_reservation_back(frozen: LiveEmulator) -> None:
    with frozen.app.test_request_context("/api/v1/users/self"):
        assert throttle.begin("crash") is None
        assert throttle.remaining(frozen.emulator, "crash") == 650.0
    # the context was torn down without ``finish`` (as after an unhandled exception)
    assert throttle.remaining(frozen.emulator, "crash") == 700.0
