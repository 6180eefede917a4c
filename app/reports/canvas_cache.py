"""A short, bounded, per-process cache of the Canvas answers behind the report overviews.

``/reports/account`` asks Canvas for the account's ``available_reports`` catalogue and
``/reports/course`` for the course's quizzes and assignments on every view; the answers
change rarely and cost a Canvas round trip (and the tool's CPU to send and parse it) each.
This cache keeps them for ``DEFAULT_TTL`` seconds.

Keys are ``(platform id, Canvas user id, context kind, context id, what)``: every entry
was fetched with that user's own token, so no user is ever served another user's answer
(Canvas filters catalogues and lists by the caller's permissions).

Only successful answers are stored; a Canvas error propagates and is asked again next
time. File downloads and anything about tokens are never cached here.

Why a per-process cache is acceptable: each gunicorn worker keeps its own copy, so after a
change in Canvas the workers converge within the TTL, and a user who starts, aborts or
deletes a report drops their own entries for that context at once (``invalidate``) in the
worker that served the action. What may lag for up to a minute in another worker is
Canvas's "last run" column and the quiz lists; the progress of the tool's own jobs comes
from the job table (database, never cached), not from the catalogue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal, NamedTuple, TypeVar, cast

from cachetools import TTLCache
from flask import Flask, current_app

T = TypeVar("T")

DEFAULT_TTL = 60.0
DEFAULT_MAXSIZE = 4096
EXTENSION = "reports_canvas_cache"

ContextKind = Literal["account", "course"]


class CacheKey(NamedTuple):
    """Whose answer, in which context, to what question (e.g. ``"catalogue"``)."""

    platform_id: int
    canvas_user_id: int
    context: ContextKind
    context_id: int
    what: str


_MISSING = object()


class CanvasAnswerCache:
    """A thread-safe ``TTLCache`` of Canvas answers (gunicorn gthread workers run threads).

    A ``what`` must always be stored with the same value type: ``get_or_fetch`` returns
    what ``fetch`` returned for that key.
    """

    def __init__(
        self,
        *,
        timer: Callable[[], float],
        ttl: float = DEFAULT_TTL,
        maxsize: int = DEFAULT_MAXSIZE,
    ) -> None:
        self._entries: TTLCache[CacheKey, object] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def get_or_fetch(self, key: CacheKey, fetch: Callable[[], T]) -> T:
        """The cached answer for ``key``, else ``fetch()`` (stored only when it returns).

        ``fetch`` runs outside the lock: two threads missing the same key may both ask
        Canvas once, which is harmless; holding the lock over an HTTP call is not.
        """
        with self._lock:
            found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            return cast(T, found)
        value = fetch()
        with self._lock:
            self._entries[key] = value
        return value

    def invalidate(
        self, platform_id: int, canvas_user_id: int, context: ContextKind, context_id: int
    ) -> None:
        """Drop every answer this user's view of this context was built from."""
        prefix = (platform_id, canvas_user_id, context, context_id)
        with self._lock:
            for key in [key for key in self._entries if key[:4] == prefix]:
                self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def init_app(app: Flask) -> None:
    """Give ``app`` its cache; the TTL runs on the app's clock (tests replace the clock)."""

    def timer() -> float:
        return float(app.extensions["clock"]().timestamp())

    app.extensions.setdefault(EXTENSION, CanvasAnswerCache(timer=timer))


def current_cache() -> CanvasAnswerCache:
    cache: CanvasAnswerCache = current_app.extensions[EXTENSION]
    return cache
