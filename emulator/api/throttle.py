"""Canvas's request throttle: a leaky bucket per access token (lti-oauth.md §7.5).

Each request reserves an up-front cost when it starts (so parallel requests drain the bucket
fast) and is charged its final cost when it ends, the up-front part credited back. The bucket
leaks ``throttle_outflow_per_second`` units per second of the *store clock*, so tests freeze
and advance time instead of sleeping. The final cost is deterministic: a base cost per request
plus whatever ``charge`` adds (the OAuth token endpoint adds 200).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Response, g, has_request_context, request

from emulator.state import Emulator, current_emulator

BASE_COST = 1.0  # stands in for CPU + DB seconds of one request
WRITE_COST = 2.0  # POST/PUT/DELETE do a bit more work
RATE_LIMITED_TEXT = {
    429: "429 Too Many Requests (Rate Limit Exceeded)",
    403: "403 Forbidden (Rate Limit Exceeded)",
}


@dataclass
class Bucket:
    level: float = 0.0
    updated_at: datetime | None = None


@dataclass
class ThrottleState:
    buckets: dict[str, Bucket] = field(default_factory=dict)
    forced_rejections: int = 0  # the next N throttled requests are refused whatever the level


def state(emulator: Emulator) -> ThrottleState:
    current: ThrottleState = emulator.parts.setdefault("throttle", ThrottleState())
    return current


def _leak(emulator: Emulator, bucket: Bucket) -> None:
    now = emulator.store.now()
    if bucket.updated_at is not None:
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        outflow = emulator.settings.throttle_outflow_per_second
        bucket.level = max(0.0, bucket.level - elapsed * outflow)
    bucket.updated_at = now


def bucket_for(emulator: Emulator, key: str) -> Bucket:
    """The (leaked-up-to-now) bucket of ``key``; callers hold the store lock."""
    bucket = state(emulator).buckets.setdefault(key, Bucket())
    _leak(emulator, bucket)
    return bucket


def remaining(emulator: Emulator, key: str) -> float:
    with emulator.store.lock:
        return max(0.0, emulator.settings.throttle_hwm - bucket_for(emulator, key).level)


def charge(emulator: Emulator, key: str, units: float) -> None:
    """Add ``units`` to the request's final cost (or, outside a request, to the bucket).

    The OAuth provider calls ``charge(emulator, token, 200)`` for a token request.
    """
    with emulator.store.lock:
        if has_request_context() and g.get("throttle_key") == key:
            g.throttle_extra = g.get("throttle_extra", 0.0) + units
        else:
            bucket_for(emulator, key).level += units


def drain(emulator: Emulator, key: str) -> None:
    """Fill ``key``'s bucket to the high-water mark (the next request is refused)."""
    with emulator.store.lock:
        bucket_for(emulator, key).level = emulator.settings.throttle_hwm


def force_rejections(emulator: Emulator, count: int) -> None:
    """Refuse the next ``count`` throttled requests, whoever sends them."""
    with emulator.store.lock:
        state(emulator).forced_rejections = count


def _rejection(emulator: Emulator) -> Response:
    status = 403 if emulator.settings.throttle_legacy_403 else 429
    response = Response(RATE_LIMITED_TEXT[status], status=status, mimetype="text/plain")
    response.headers["X-Request-Cost"] = "0.0"
    response.headers["X-Rate-Limit-Remaining"] = "0.0"
    return response


def begin(key: str) -> Response | None:
    """Reserve the up-front cost, or return the rate-limited response."""
    emulator = current_emulator()
    settings = emulator.settings
    with emulator.store.lock:
        throttle = state(emulator)
        bucket = bucket_for(emulator, key)
        if throttle.forced_rejections > 0:
            throttle.forced_rejections -= 1
            return _rejection(emulator)
        if bucket.level >= settings.throttle_hwm:
            return _rejection(emulator)
        bucket.level += settings.throttle_upfront_cost
    g.throttle_key = key
    g.throttle_extra = 0.0
    return None


def finish(response: Response) -> Response:
    """Credit the up-front cost back, charge the final cost, and set the headers."""
    key: str | None = g.pop("throttle_key", None)
    if key is None:
        return response
    emulator = current_emulator()
    settings = emulator.settings
    cost = (BASE_COST if request.method in {"GET", "HEAD"} else WRITE_COST) + g.pop(
        "throttle_extra", 0.0)
    with emulator.store.lock:
        bucket = bucket_for(emulator, key)
        bucket.level = max(0.0, bucket.level - settings.throttle_upfront_cost) + cost
        left = max(0.0, settings.throttle_hwm - bucket.level)
    response.headers["X-Request-Cost"] = f"{cost:.1f}"
    response.headers["X-Rate-Limit-Remaining"] = f"{left:.1f}"
    return response


def settle_on_teardown() -> None:
    """If a request died before ``finish`` ran, still give the up-front cost back."""
    key: str | None = g.pop("throttle_key", None)
    if key is None:
        return
    emulator = current_emulator()
    with emulator.store.lock:
        bucket = bucket_for(emulator, key)
        bucket.level = max(0.0, bucket.level - emulator.settings.throttle_upfront_cost)
