"""The Canvas origins allowed to frame the tool (CSP ``frame-ancestors``), cached per process.

Every HTML page sends the header, so reading the registrations for each one cost a query per
page (three per launch). Registrations change rarely: the answer is kept for ``ttl_seconds``
and dropped at once when this process commits a change to a ``Platform`` row (the CLI and
Dynamic Registration write through the ORM). Another process's change shows within the TTL.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.lti.registrations import frame_origins
from app.models.platform import Deployment, Platform

DEFAULT_TTL_SECONDS = 30.0

_changes = itertools.count(1)
_generation = 0
_CHANGED = "platforms_changed"


def platforms_generation() -> int:
    """Bumped after every commit in this process that wrote a ``Platform`` or ``Deployment``."""
    return _generation


@event.listens_for(Session, "after_flush")
def _note_platform_writes(session: Session, _context: Any) -> None:
    # Deployments too: the registration cache (``tool_conf.py``) holds them.
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Platform | Deployment) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    global _generation  # noqa: PLW0603 - one process-wide counter, bumped atomically by next()
    if session.info.pop(_CHANGED, False):
        _generation = next(_changes)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)


class FrameOrigins:
    """``get(session)``: the sorted origins, from the database at most once per TTL."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[int, float, list[str]] | None = None  # generation, expiry, origins

    def get(self, session: Session) -> list[str]:
        generation, now = platforms_generation(), self._clock()
        with self._lock:
            cached = self._cached
        if cached is not None and cached[0] == generation and now < cached[1]:
            return cached[2]
        origins = frame_origins(session)
        with self._lock:
            self._cached = (generation, now + self._ttl, origins)
        return origins
