"""Throttling, retries and timeouts against the live emulator's throttle and fault knobs.

The client's ``sleep`` advances the emulator's clock, so the leaky bucket drains while the
client "waits" and no test sleeps for real (socket timeouts excepted: they are real time).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasThrottled, CanvasUnavailable
from app.canvas.http import HttpPolicy
from emulator import faults
from emulator.api import throttle
from emulator.oauth.views import TOKEN_REQUEST_COST
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401

ADA, TINA = 1, 3
SELF_PATH = r"^/api/v1/users/self$"
CREATE_PATH = r"^/api/v1/accounts/1/reports/grade_export_csv$"


@pytest.fixture
def tina(canvas: CanvasWorld) -> CanvasClient:
    return canvas.connected_client(TINA)


@pytest.fixture
def ada(canvas: CanvasWorld) -> Iterator[CanvasClient]:
    client = canvas.connected_client(ADA)
    yield client
    faults.clear(canvas.live.emulator)  # releases requests held by latency faults


def token_of(canvas: CanvasWorld, user_id: int) -> str:
    stored = canvas.stored(user_id)
    assert stored is not None
    return stored.access_token


def test_the_client_exposes_canvas_remaining_budget(
    canvas: CanvasWorld, tina: CanvasClient
) -> None:
    assert tina.rate_limit_remaining is None
    tina.get_self()
    remaining = tina.rate_limit_remaining
    assert remaining is not None
    # The token exchange cost TOKEN_REQUEST_COST, the GET BASE_COST; the bucket leaks since.
    hwm = canvas.live.emulator.settings.throttle_hwm
    assert hwm - TOKEN_REQUEST_COST - throttle.BASE_COST <= remaining < hwm


def test_drained_bucket_slows_the_client_and_a_burst_of_200_never_fails(
    canvas: CanvasWorld, tina: CanvasClient
) -> None:
    throttle.drain(canvas.live.emulator, token_of(canvas, TINA))
    started = canvas.now()
    for _ in range(200):
        assert tina.get_self().id == TINA
    governor = tina.governor
    assert governor.paused_seconds > 0
    assert governor.refusals <= 1  # it slowed down instead of hammering a full bucket
    assert (canvas.now() - started).total_seconds() >= 10  # the bucket needed time to leak


def test_a_parallel_burst_of_200_on_a_drained_bucket_never_fails(
    canvas: CanvasWorld, tina: CanvasClient
) -> None:
    throttle.drain(canvas.live.emulator, token_of(canvas, TINA))
    failures: list[BaseException] = []
    done: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            try:
                user = tina.get_self()
            except BaseException as exc:  # collected and asserted below
                with lock:
                    failures.append(exc)
                return
            with lock:
                done.append(user.id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(done) == 200


def test_legacy_403_rate_limit_is_retried(canvas: CanvasWorld, tina: CanvasClient) -> None:
    canvas.live.emulator.settings.throttle_legacy_403 = True
    throttle.force_rejections(canvas.live.emulator, 3)
    assert tina.get_self().id == TINA
    assert tina.governor.refusals == 3


def test_endless_throttling_raises_canvas_throttled(
    canvas: CanvasWorld, tina: CanvasClient
) -> None:
    throttle.force_rejections(canvas.live.emulator, 100)
    with pytest.raises(CanvasThrottled):
        tina.get_self()
    assert tina.governor.refusals == 9
    throttle.force_rejections(canvas.live.emulator, 0)


def test_get_is_retried_after_5xx(canvas: CanvasWorld, tina: CanvasClient) -> None:
    fault = faults.add_route_fault(
        canvas.live.emulator, "error", SELF_PATH, method="GET", status=503, count=2
    )
    assert tina.get_self().id == TINA
    assert fault.hits == 2


def test_get_gives_up_with_canvas_unavailable(canvas: CanvasWorld, tina: CanvasClient) -> None:
    fault = faults.add_route_fault(canvas.live.emulator, "error", SELF_PATH, status=500)
    with pytest.raises(CanvasUnavailable, match="An error occurred"):
        tina.get_self()
    assert fault.hits == 4


def test_report_creating_post_is_not_retried_after_5xx(
    canvas: CanvasWorld, ada: CanvasClient
) -> None:
    fault = faults.add_route_fault(
        canvas.live.emulator, "error", CREATE_PATH, method="POST", status=502, count=5
    )
    with pytest.raises(CanvasUnavailable):
        ada.start_account_report(1, "grade_export_csv", {})
    assert fault.hits == 1
    assert ada.list_account_reports(1, "grade_export_csv") == []


def test_report_creating_post_that_times_out_is_not_repeated(
    canvas: CanvasWorld, ada: CanvasClient
) -> None:
    impatient = canvas.client(ADA, policy=HttpPolicy(read_timeout=1.0))
    fault = faults.add_route_fault(
        canvas.live.emulator, "latency", CREATE_PATH, method="POST", delay=5.0, count=1
    )
    with pytest.raises(CanvasUnavailable, match="did not answer in time"):
        impatient.start_account_report(1, "grade_export_csv", {})
    assert fault.hits == 1
    faults.clear(canvas.live.emulator)  # Canvas finishes the held request: one report exists
    reports: list[object] = []
    for _ in range(50):  # the released server thread needs a moment to store it
        reports = list(ada.list_account_reports(1, "grade_export_csv"))
        if reports:
            break
    assert len(reports) == 1


def test_get_that_times_out_is_retried(canvas: CanvasWorld, ada: CanvasClient) -> None:
    impatient = canvas.client(ADA, policy=HttpPolicy(read_timeout=1.0))
    fault = faults.add_route_fault(
        canvas.live.emulator, "latency", SELF_PATH, method="GET", delay=5.0, count=1
    )
    assert impatient.get_self().id == ADA
    assert fault.hits == 1
