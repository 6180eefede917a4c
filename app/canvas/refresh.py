"""Refreshing a user's access token: once at a time per user, across processes.

Canvas tokens live an hour. Several web workers and the report worker may notice expiry at
the same moment; only one may call the token endpoint, the others wait and reuse its result.
The lock is:
- Redis (``SET NX`` lock via redis-py) when ``REDIS_URL`` is configured;
- otherwise the database: ``SELECT ... FOR UPDATE`` on the user's ``canvas_token`` row on
  PostgreSQL, and on SQLite a write transaction (its first statement is an UPDATE of that
  row, which takes SQLite's single write lock; other writers wait up to the busy timeout).

SQLite caveat: a caller that holds an open write transaction on another connection of the
same database while the client refreshes would wait on itself; services commit before
calling Canvas, and PostgreSQL or Redis deployments are not affected.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime, timedelta

import redis
from redis.exceptions import LockError, RedisError
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasError,
    CanvasOAuthError,
    CanvasUnavailable,
)
from app.canvas.oauth import CanvasOAuth, is_revoked_grant
from app.canvas.token_store import StoredToken, TokenStore
from app.crypto import SecretBox
from app.db import utcnow
from app.i18n import N_
from app.models.canvas_token import CanvasToken

log = logging.getLogger(__name__)

EXPIRY_MARGIN = timedelta(minutes=5)
REDIS_LOCK_TIMEOUT = 60.0  # seconds a crashed holder keeps the lock
REDIS_WAIT = 45.0

NEEDS_AUTHORIZATION = N_("Connect the tool to your Canvas account: choose Authorize.")
REVOKED = N_(
    "Your Canvas authorization was revoked or has expired. "
    "Choose Authorize to connect the tool to Canvas again."
)

_redis_clients: dict[str, redis.Redis] = {}
_redis_guard = threading.Lock()


def _redis(url: str) -> redis.Redis:
    """One client (connection pool) per URL and process."""
    with _redis_guard:
        if url not in _redis_clients:
            _redis_clients[url] = redis.Redis.from_url(url)
        return _redis_clients[url]


class RefreshCoordinator:
    """Runs token refreshes for one platform's developer key."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        oauth: CanvasOAuth,
        *,
        redis_url: str | None = None,
        now: Callable[[], datetime] = utcnow,
        margin: timedelta = EXPIRY_MARGIN,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._oauth = oauth
        self._redis_url = redis_url
        self._now = now
        self.margin = margin

    def load(self, platform_id: int, canvas_user_id: int) -> StoredToken | None:
        with self._sessions() as session:
            return TokenStore(session, self._box).load(platform_id, canvas_user_id)

    def refresh(self, platform_id: int, canvas_user_id: int, rejected: str) -> StoredToken:
        """A token other than ``rejected`` that is not about to expire.

        If another process refreshed while we waited for the lock, its token is reused.

        Raises:
            CanvasAuthorizationRequired: no token, or Canvas revoked the refresh token
                (the stored token is deleted first).
            CanvasUnavailable: the token endpoint failed, or the lock could not be had in
                time; the stored token is kept.
        """
        outcome: StoredToken | CanvasError
        try:
            with (
                self._exclusive(platform_id, canvas_user_id),
                self._sessions() as session,
                session.begin(),  # commits (deletions too) before an error is raised below
            ):
                row = self._lock_row(session, platform_id, canvas_user_id)
                outcome = self._refresh_locked(session, row, rejected)
        except OperationalError as exc:  # e.g. SQLite's busy timeout while another refreshes
            log.warning("canvas.token_refresh_lock_timeout")
            raise CanvasUnavailable(
                "The Canvas token could not be refreshed right now; try again."
            ) from exc
        if isinstance(outcome, CanvasError):
            raise outcome
        return outcome

    def _refresh_locked(
        self, session: Session, row: CanvasToken | None, rejected: str
    ) -> StoredToken | CanvasError:
        if row is None:
            return CanvasAuthorizationRequired(NEEDS_AUTHORIZATION)
        store = TokenStore(session, self._box)
        stored = store.decrypt(row)
        if stored.access_token != rejected and not stored.expires_within(self.margin, self._now()):
            log.info("canvas.token_refresh_reused", extra={"canvas_user_id": row.canvas_user_id})
            return stored
        if stored.refresh_token is None:
            session.delete(row)
            return CanvasAuthorizationRequired(REVOKED)
        try:
            grant = self._oauth.refresh(stored.refresh_token)
        except CanvasOAuthError as exc:
            if is_revoked_grant(exc):
                log.info(
                    "canvas.token_revoked_by_canvas", extra={"canvas_user_id": row.canvas_user_id}
                )
                session.delete(row)
                return CanvasAuthorizationRequired(REVOKED)
            return CanvasError(f"Canvas refused to refresh the token ({exc.error}).")
        except CanvasUnavailable as exc:
            return exc
        store.apply(row, grant)
        log.info("canvas.token_refreshed", extra={"canvas_user_id": row.canvas_user_id})
        return store.decrypt(row)

    def _lock_row(
        self, session: Session, platform_id: int, canvas_user_id: int
    ) -> CanvasToken | None:
        where = (
            CanvasToken.platform_id == platform_id,
            CanvasToken.canvas_user_id == canvas_user_id,
        )
        if self._redis_url is None and session.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock before reading, so waiters read the winner's token.
            session.execute(
                update(CanvasToken).where(*where).values(updated_at=CanvasToken.updated_at)
            )
            return session.scalar(select(CanvasToken).where(*where))
        query = select(CanvasToken).where(*where)
        if self._redis_url is None:
            query = query.with_for_update()
        return session.scalar(query.execution_options(populate_existing=True))

    def _exclusive(self, platform_id: int, canvas_user_id: int) -> AbstractContextManager[None]:
        if self._redis_url is None:
            return nullcontext()
        return self._redis_lock(f"canvas-reports:token-refresh:{platform_id}:{canvas_user_id}")

    @contextmanager
    def _redis_lock(self, name: str) -> Iterator[None]:
        try:
            lock = _redis(self._redis_url or "").lock(
                name, timeout=REDIS_LOCK_TIMEOUT, blocking_timeout=REDIS_WAIT
            )
            acquired = lock.acquire()
        except RedisError as exc:
            raise CanvasUnavailable("The token refresh lock (Redis) is unavailable.") from exc
        if not acquired:
            raise CanvasUnavailable(N_("Another token refresh is taking too long; try again."))
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:
                log.warning("canvas.token_refresh_lock_expired")


class StoredTokenSource:
    """The ``TokenSource`` of a user with a stored token; refreshes before expiry."""

    def __init__(
        self,
        coordinator: RefreshCoordinator,
        platform_id: int,
        canvas_user_id: int,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._coordinator = coordinator
        self._platform_id = platform_id
        self._canvas_user_id = canvas_user_id
        self._now = now
        self._cached: StoredToken | None = None
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._cached is None:
                self._cached = self._coordinator.load(self._platform_id, self._canvas_user_id)
            if self._cached is None:
                raise CanvasAuthorizationRequired(NEEDS_AUTHORIZATION)
            if self._cached.expires_within(self._coordinator.margin, self._now()):
                self._cached = self._coordinator.refresh(
                    self._platform_id, self._canvas_user_id, self._cached.access_token
                )
            return self._cached.access_token

    def refresh(self, rejected: str) -> str:
        with self._lock:
            self._cached = self._coordinator.refresh(
                self._platform_id, self._canvas_user_id, rejected
            )
            return self._cached.access_token
