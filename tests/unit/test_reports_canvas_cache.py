"""``CanvasAnswerCache``: hits, per-user keys, TTL on an injected clock, errors, invalidation."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from app.canvas.errors import CanvasNotPermitted, CanvasUnavailable
from app.reports.canvas_cache import DEFAULT_TTL, CacheKey, CanvasAnswerCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    """A stand-in for a Canvas call: counts calls and answers ``answer`` (or raises it)."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def key(user: int = 1, context_id: int = 1, what: str = "catalogue", platform: int = 1) -> CacheKey:
    return CacheKey(platform, user, "account", context_id, what)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> CanvasAnswerCache:
    return CanvasAnswerCache(timer=clock)


def test_a_hit_does_not_fetch_again(cache: CanvasAnswerCache) -> None:
    fetch = Fetcher(["a", "b"])
    assert cache.get_or_fetch(key(), fetch) == ["a", "b"]
    assert cache.get_or_fetch(key(), fetch) == ["a", "b"]
    assert fetch.calls == 1


@pytest.mark.parametrize(
    "other",
    [
        key(user=2),
        key(platform=2),
        key(context_id=2),
        key(what="quizzes"),
        CacheKey(1, 1, "course", 1, "catalogue"),
    ],
)
def test_each_user_context_and_question_has_its_own_entry(
    cache: CanvasAnswerCache, other: CacheKey
) -> None:
    cache.get_or_fetch(key(), Fetcher("user 1's answer"))
    theirs = Fetcher("their answer")
    assert cache.get_or_fetch(other, theirs) == "their answer"
    assert theirs.calls == 1
    assert cache.get_or_fetch(key(), Fetcher("unused")) == "user 1's answer"


def test_entries_expire_after_the_ttl(cache: CanvasAnswerCache, clock: Clock) -> None:
    first, second = Fetcher("old"), Fetcher("new")
    cache.get_or_fetch(key(), first)
    clock.now += DEFAULT_TTL - 0.5
    assert cache.get_or_fetch(key(), second) == "old"
    clock.now += 1
    assert cache.get_or_fetch(key(), second) == "new"
    assert (first.calls, second.calls) == (1, 1)


@pytest.mark.parametrize(
    "error", [CanvasNotPermitted("no", canvas_status=403), CanvasUnavailable("down")]
)
def test_errors_are_not_cached(cache: CanvasAnswerCache, error: Exception) -> None:
    failing = Fetcher(error)
    with pytest.raises(type(error)):
        cache.get_or_fetch(key(), failing)
    with pytest.raises(type(error)):
        cache.get_or_fetch(key(), failing)
    assert failing.calls == 2
    assert len(cache) == 0
    assert cache.get_or_fetch(key(), Fetcher("fine")) == "fine"


def test_invalidate_drops_only_that_users_context(cache: CanvasAnswerCache) -> None:
    kept = [key(user=2), key(context_id=2), CacheKey(1, 1, "course", 1, "quizzes")]
    dropped = [key(), key(what="terms")]
    for entry in kept + dropped:
        cache.get_or_fetch(entry, Fetcher("cached"))
    cache.invalidate(1, 1, "account", 1)
    for entry in dropped:
        assert cache.get_or_fetch(entry, Fetcher("fresh")) == "fresh"
    for entry in kept:
        assert cache.get_or_fetch(entry, Fetcher("fresh")) == "cached"


def test_the_cache_is_bounded(clock: Clock) -> None:
    cache = CanvasAnswerCache(timer=clock, maxsize=3)
    for user in range(10):
        cache.get_or_fetch(key(user=user), Fetcher(user))
    assert len(cache) == 3
    assert cache.get_or_fetch(key(user=9), Fetcher("refetched")) == 9


def test_threads_share_it_safely(cache: CanvasAnswerCache) -> None:
    errors: list[BaseException] = []

    def work(user: int) -> Callable[[], None]:
        def run() -> None:
            try:
                for n in range(300):
                    k = key(user=user % 4, context_id=n % 7)
                    value = cache.get_or_fetch(k, Fetcher((k.canvas_user_id, k.context_id)))
                    assert value == (k.canvas_user_id, k.context_id)
                    if n % 50 == 0:
                        cache.invalidate(1, user % 4, "account", n % 7)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=work(user)) for user in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
