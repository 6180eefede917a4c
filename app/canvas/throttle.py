"""Staying under Canvas's leaky-bucket throttle (lti-oauth.md 7.5).

Canvas charges every request an up-front 50 units and leaks 10 units a second; when the
bucket is full it answers 429 (legacy: 403 "Rate Limit Exceeded") without doing any work.
The governor reads ``X-Rate-Limit-Remaining`` from each answer, waits before a request when
the budget is nearly spent (long enough for the bucket to leak back above the low-water
mark), and computes exponential backoff with jitter for refused requests. Time is injected
(``sleep``, ``rng``) so tests never wait for real.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.canvas.pages import header

REMAINING_HEADER = "X-Rate-Limit-Remaining"
RATE_LIMIT_TEXT = "Rate Limit Exceeded"


@dataclass(frozen=True)
class ThrottlePolicy:
    """Numbers from Canvas's defaults: up-front cost 50, outflow 10 units/s."""

    low_water: float = 150.0  # three requests' up-front cost
    outflow_per_second: float = 10.0
    max_pause: float = 10.0
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    max_throttled_retries: int = 8


class ThrottleGovernor:
    """Per-token budget tracker, safe to share between threads using one client."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._sleep = sleep
        self._monotonic = monotonic
        self._observed_at = 0.0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._lock = threading.Lock()
        self._remaining: float | None = None
        self.paused_seconds = 0.0  # total time spent waiting (observability and tests)
        self.refusals = 0  # how often Canvas said "Rate Limit Exceeded"

    @property
    def remaining(self) -> float | None:
        """The last ``X-Rate-Limit-Remaining`` Canvas sent (None before any answer)."""
        with self._lock:
            return self._remaining

    def observe(self, headers: Mapping[str, str]) -> None:
        """Remember the budget an answer reported (ignored when absent or malformed)."""
        value = header(headers, REMAINING_HEADER)
        if value is None:
            return
        try:
            remaining = float(value)
        except ValueError:
            return
        with self._lock:
            self._remaining = remaining
            self._observed_at = self._monotonic()

    def pause_before_request(self) -> float:
        """Wait while the budget is below the low-water mark; returns the seconds waited."""
        with self._lock:
            remaining = self._remaining
            if remaining is not None:
                # A reading ages: the bucket has leaked since Canvas reported it.
                idle = max(0.0, self._monotonic() - self._observed_at)
                remaining += idle * self.policy.outflow_per_second
        if remaining is None or remaining >= self.policy.low_water:
            return 0.0
        deficit = self.policy.low_water - max(remaining, 0.0)
        delay = min(self.policy.max_pause, deficit / self.policy.outflow_per_second)
        delay *= 0.75 + self._rng.random() / 2  # spread threads that saw the same budget
        self._wait(delay)
        with self._lock:
            # The bucket leaked while we waited; assume it did so at Canvas's rate.
            if self._remaining is not None:
                self._remaining += delay * self.policy.outflow_per_second
        return delay

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter" for retry ``attempt`` (1-based); waits it."""
        delay = backoff_delay(attempt, self.policy.backoff_base, self.policy.backoff_cap, self._rng)
        self._wait(delay)
        return delay

    def throttled(self) -> None:
        """Record a refusal: the bucket is full."""
        with self._lock:
            self._remaining = 0.0
            self._observed_at = self._monotonic()
            self.refusals += 1

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self.paused_seconds += seconds
        self._sleep(seconds)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter" for retry ``attempt`` (1-based): half of the
    capped ``base * 2**(attempt-1)`` for sure, the other half at random, so clients that
    failed together do not all come back together."""
    ceiling = min(cap, base * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.random() * ceiling / 2


def is_rate_limited(status: int, body: str) -> bool:
    """429, or the legacy 403 whose body says "Rate Limit Exceeded"."""
    return status == 429 or (status == 403 and RATE_LIMIT_TEXT.lower() in body.lower())
