"""The registrations in the database, as the login and the launch need them.

One issuer (``https://canvas.instructure.com``) serves every hosted institution, so a
registration is found by (issuer, client id) and a launch by (issuer, client id, deployment).
The issuer alone never picks a registration: the login requires ``client_id`` and the launch
takes it from ``aud``/``azp``.

``Registration`` is a frozen snapshot (no ORM object), so a request can keep it after its
session is gone and the launch can write its ``Launch`` row without reading the platform
again. ``RegistrationCache`` keeps snapshots per process for ``ttl_seconds`` (30 s): every
login and launch looked its registration up, which rarely changes. A change this process
commits (the CLI, Dynamic Registration) drops the cache at once (``platforms_generation``);
another process's change shows within the TTL, except that a deployment missing from a
snapshot is always looked up afresh before a launch is refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lti.frame_origins import platforms_generation
from app.models.platform import Deployment, Platform

DEFAULT_TTL_SECONDS = 30.0


@dataclass(frozen=True)
class Registration:
    """One Canvas developer key registered with the tool, with its deployments."""

    platform_id: int
    issuer: str
    client_id: str
    auth_login_url: str
    key_set_url: str
    canvas_url: str
    deployment_ids: frozenset[str]


class RegistrationCache:
    """Known registrations per process: bounded, for ``ttl_seconds``, dropped on a change
    this process commits. Unknown (issuer, client id) pairs are never cached, so forged
    ones cannot fill it (and the rate limit bounds their queries)."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = 256,
    ) -> None:
        self._cache: TTLCache[tuple[str, str], tuple[int, Registration]] = TTLCache(
            maxsize=maxsize, ttl=ttl_seconds, timer=clock
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Registration | None:
        with self._lock:
            found = self._cache.get(key)
        if found is None or found[0] != platforms_generation():
            return None
        return found[1]

    def put(self, key: tuple[str, str], registration: Registration, generation: int) -> None:
        with self._lock:
            self._cache[key] = (generation, registration)


class DbToolConf:
    """Registrations from the process cache, else the database (once per request)."""

    def __init__(self, session: Session, cache: RegistrationCache | None = None) -> None:
        self._session = session
        self._cache = cache
        self._found: dict[tuple[str, str], Registration | None] = {}

    def registration(self, iss: str, client_id: str) -> Registration | None:
        """The registration of (``iss``, ``client_id``), or None when there is none."""
        if not iss or not client_id:
            return None
        key = (iss, client_id)
        if key in self._found:
            return self._found[key]
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None:
            self._found[key] = cached
            return cached
        generation = platforms_generation()  # read before the query: a change during it wins
        loaded = _load(self._session, iss, client_id)
        if loaded is not None and self._cache is not None:
            self._cache.put(key, loaded, generation)
        self._found[key] = loaded
        return loaded

    def fresh(self, registration: Registration) -> Registration | None:
        """The same registration read from the database now (not from the cache)."""
        return _load(self._session, registration.issuer, registration.client_id)


def _load(session: Session, iss: str, client_id: str) -> Registration | None:
    # One round trip: the platform's columns and its deployment ids (outer join).
    rows = session.execute(
        select(
            Platform.id,
            Platform.auth_login_url,
            Platform.key_set_url,
            Platform.canvas_url,
            Deployment.deployment_id,
        )
        .outerjoin(Deployment, Deployment.platform_id == Platform.id)
        .where(Platform.issuer == iss, Platform.client_id == client_id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return Registration(
        platform_id=first.id,
        issuer=iss,
        client_id=client_id,
        auth_login_url=first.auth_login_url,
        key_set_url=first.key_set_url,
        canvas_url=first.canvas_url,
        deployment_ids=frozenset(r.deployment_id for r in rows if r.deployment_id is not None),
    )
