"""The governor's arithmetic: pauses sized to Canvas's leak rate, readings that age."""

from __future__ import annotations

import random

from app.canvas.throttle import ThrottleGovernor, is_rate_limited
from tests.unit.canvas.conftest import RecordingSleep


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def governor(sleep: RecordingSleep, clock: FakeMonotonic) -> ThrottleGovernor:
    return ThrottleGovernor(sleep=sleep, rng=random.Random(1), monotonic=clock)


def test_no_reading_means_no_pause(sleep: RecordingSleep) -> None:
    assert governor(sleep, FakeMonotonic()).pause_before_request() == 0.0
    assert sleep.calls == []


def test_pause_is_the_time_the_bucket_needs_to_leak_back(sleep: RecordingSleep) -> None:
    clock = FakeMonotonic()
    gov = governor(sleep, clock)
    gov.observe({"X-Rate-Limit-Remaining": "100.0"})
    waited = gov.pause_before_request()
    # (150 - 100) / 10 units per second = 5 s, jittered within +-25 %.
    assert 3.75 <= waited <= 6.25
    assert sleep.calls == [waited]
    assert gov.remaining is not None
    assert gov.remaining >= 100 + waited * 10 - 1e-9


def test_an_old_low_reading_no_longer_causes_a_pause(sleep: RecordingSleep) -> None:
    clock = FakeMonotonic()
    gov = governor(sleep, clock)
    gov.observe({"x-rate-limit-remaining": "20"})
    clock.now += 30  # 300 units leaked since Canvas said 20
    assert gov.pause_before_request() == 0.0


def test_a_refusal_empties_the_budget(sleep: RecordingSleep) -> None:
    clock = FakeMonotonic()
    gov = governor(sleep, clock)
    gov.observe({"X-Rate-Limit-Remaining": "650"})
    gov.throttled()
    assert gov.remaining == 0.0
    assert gov.refusals == 1
    assert gov.pause_before_request() > 0


def test_malformed_readings_are_ignored(sleep: RecordingSleep) -> None:
    gov = governor(sleep, FakeMonotonic())
    gov.observe({"X-Rate-Limit-Remaining": "lots"})
    assert gov.remaining is None


def test_backoff_grows_and_is_capped(sleep: RecordingSleep) -> None:
    gov = governor(sleep, FakeMonotonic())
    delays = [gov.backoff(attempt) for attempt in range(1, 10)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(30.0, 2.0 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert gov.paused_seconds == sum(delays)


def test_rate_limit_answers_are_recognised() -> None:
    assert is_rate_limited(429, "")
    assert is_rate_limited(403, "403 Forbidden (Rate Limit Exceeded)")
    assert not is_rate_limited(403, '{"errors":[{"message":"user not authorized"}]}')
    assert not is_rate_limited(500, "Rate Limit Exceeded")
