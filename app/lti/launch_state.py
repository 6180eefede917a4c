"""Short-lived key/value state shared by every worker: OIDC state, nonces, pending launches.

The database table ``launch_state`` is the default; with ``REDIS_URL`` Redis holds it. Never
per-process memory: with several workers the login and the launch land on different ones.
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import redis
from sqlalchemy import BindParameter, Connection, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from app.db import utcnow
from app.models.launch import LaunchStateEntry


class StateStore(Protocol):
    """What the launch needs from shared storage; values are JSON-serialisable."""

    def put(self, key: str, value: Any, ttl_seconds: int) -> None: ...

    def get(self, key: str) -> Any | None: ...

    def take(self, key: str) -> Any | None:
        """Return and delete atomically: the one caller that gets a value owns it."""
        ...

    def add(self, key: str, value: Any, ttl_seconds: int) -> bool:
        """Store ``key`` only if absent; True for the one caller that stored it."""
        ...

    def purge_expired(self) -> int: ...

    def within(self, session: Session) -> StateStore:
        """The same store, written in ``session``'s transaction where it can be (the
        database store): the caller commits, and a launch's ``take`` of its state commits
        together with the ``Launch`` row. Redis has no transaction to join."""
        ...


_TABLE = t.cast(Table, LaunchStateEntry.__table__)
_KEY: BindParameter[str] = bindparam("k")


@dataclass(frozen=True)
class _Statements:
    """The store's statements, built once per dialect with bound parameters.

    Why: a statement built per call with its values inlined makes SQLAlchemy coerce every
    value and compute a fresh cache key each time; a constant statement executed with a
    parameter dict on the session's connection skips both (and the ORM's bulk path).
    """

    upsert: Any
    add: Any
    get: Any
    take: Any

    @classmethod
    def build(cls, dialect: str) -> _Statements:
        # The tool runs on these two; both have INSERT ... ON CONFLICT.
        if dialect == "postgresql":
            insert: PgInsert | SqliteInsert = pg_insert(_TABLE)
        elif dialect == "sqlite":
            insert = sqlite_insert(_TABLE)
        else:
            raise RuntimeError(f"launch state needs PostgreSQL or SQLite, not {dialect}")
        return cls(
            upsert=insert.on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
            ),
            add=insert.on_conflict_do_nothing(index_elements=[_TABLE.c.key]).returning(
                _TABLE.c.key
            ),
            get=select(_TABLE.c.value, _TABLE.c.expires_at).where(_TABLE.c.key == _KEY),
            take=delete(_TABLE)
            .where(_TABLE.c.key == _KEY)
            .returning(_TABLE.c.value, _TABLE.c.expires_at),
        )


_BY_DIALECT: dict[str, _Statements] = {}


def _statements(connection: Connection) -> _Statements:
    name = connection.dialect.name
    found = _BY_DIALECT.get(name)
    if found is None:
        found = _BY_DIALECT[name] = _Statements.build(name)
    return found


class _Rows:
    """The ``launch_state`` statements, on a session given by the caller."""

    def __init__(self, now: t.Callable[[], datetime]) -> None:
        self.now = now

    def _row(self, key: str, value: Any, ttl_seconds: int) -> dict[str, Any]:
        expires = self.now() + timedelta(seconds=ttl_seconds)
        return {"key": key, "value": json.dumps(value), "expires_at": expires}

    def put(self, session: Session, key: str, value: Any, ttl_seconds: int) -> None:
        # One statement whether the key is new (pending launches) or not (the JWKS cache).
        connection = session.connection()
        connection.execute(_statements(connection).upsert, self._row(key, value, ttl_seconds))

    def add(self, session: Session, key: str, value: Any, ttl_seconds: int) -> bool:
        # INSERT ... ON CONFLICT DO NOTHING RETURNING: of two transactions adding one key,
        # the second waits for the first and gets no row (or the row, if the first rolled
        # back). An expired row still blocks: keys are added for longer than they matter.
        connection = session.connection()
        added = connection.execute(
            _statements(connection).add, self._row(key, value, ttl_seconds)
        ).first()
        return added is not None

    def get(self, session: Session, key: str) -> Any | None:
        connection = session.connection()
        entry = connection.execute(_statements(connection).get, {"k": key}).first()
        if entry is None or entry.expires_at <= self.now():
            return None
        return json.loads(entry.value)

    def take(self, session: Session, key: str) -> Any | None:
        # DELETE ... RETURNING: only the transaction whose DELETE removed the row gets it,
        # so two workers racing for one key cannot both have it (one round trip).
        connection = session.connection()
        entry = connection.execute(_statements(connection).take, {"k": key}).first()
        if entry is None or entry.expires_at <= self.now():
            return None
        return json.loads(entry.value)

    def purge_expired(self, session: Session) -> int:
        result = session.execute(
            delete(LaunchStateEntry).where(LaunchStateEntry.expires_at <= self.now())
        )
        return int(getattr(result, "rowcount", 0) or 0)


class DbStateStore:
    """``launch_state`` rows; each operation commits in its own short transaction."""

    def __init__(
        self, sessions: sessionmaker[Session], now: t.Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._rows = _Rows(now)

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        with self._sessions.begin() as session:
            self._rows.put(session, key, value, ttl_seconds)

    def get(self, key: str) -> Any | None:
        with self._sessions() as session:
            return self._rows.get(session, key)

    def take(self, key: str) -> Any | None:
        with self._sessions.begin() as session:
            return self._rows.take(session, key)

    def add(self, key: str, value: Any, ttl_seconds: int) -> bool:
        with self._sessions.begin() as session:
            return self._rows.add(session, key, value, ttl_seconds)

    def purge_expired(self) -> int:
        with self._sessions.begin() as session:
            return self._rows.purge_expired(session)

    def within(self, session: Session) -> StateStore:
        return SessionStateStore(session, self._rows)


class SessionStateStore:
    """``launch_state`` rows in the caller's session: nothing commits until the caller does.

    Why: a login's state and a launch's take then share the request's one connection and
    transaction instead of one checkout, ping and commit each.
    """

    def __init__(self, session: Session, rows: _Rows) -> None:
        self._session = session
        self._rows = rows

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._rows.put(self._session, key, value, ttl_seconds)

    def get(self, key: str) -> Any | None:
        return self._rows.get(self._session, key)

    def take(self, key: str) -> Any | None:
        return self._rows.take(self._session, key)

    def add(self, key: str, value: Any, ttl_seconds: int) -> bool:
        return self._rows.add(self._session, key, value, ttl_seconds)

    def purge_expired(self) -> int:
        return self._rows.purge_expired(self._session)

    def within(self, session: Session) -> StateStore:
        return SessionStateStore(session, self._rows)


class RedisStateStore:
    """The same contract on Redis (``SET EX``, ``GETDEL``); Redis expires keys itself."""

    def __init__(self, client: Any, prefix: str = "canvas-reports:lti:") -> None:
        self._redis = client
        self._prefix = prefix

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=max(1, ttl_seconds))

    def get(self, key: str) -> Any | None:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def take(self, key: str) -> Any | None:
        raw = self._redis.getdel(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def add(self, key: str, value: Any, ttl_seconds: int) -> bool:
        return bool(
            self._redis.set(self._prefix + key, json.dumps(value), ex=max(1, ttl_seconds), nx=True)
        )

    def purge_expired(self) -> int:
        return 0

    def within(self, session: Session) -> StateStore:  # noqa: ARG002 - no transaction to join
        return self


def make_state_store(
    redis_url: str | None,
    sessions: sessionmaker[Session],
    now: t.Callable[[], datetime] = utcnow,
) -> StateStore:
    """Redis when configured, the database otherwise."""
    if redis_url:
        return RedisStateStore(redis.Redis.from_url(redis_url))
    return DbStateStore(sessions, now)


class StoreLaunchDataStorage:
    """The launch's view of a ``StateStore``: ``lti1p3-<state>`` records with a default TTL.

    No session-id cookie in the keys (pylti1p3 prefixes keys with a ``lti1p3-session-id``
    cookie that a third-party iframe may never get back); states and nonces are unguessable
    on their own.
    """

    def __init__(self, store: StateStore, default_ttl: int = 600) -> None:
        self._store = store
        self._default_ttl = default_ttl

    def get_value(self, key: str) -> Any:
        return self._store.get(key)

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._store.put(key, value, exp or self._default_ttl)

    def check_value(self, key: str) -> bool:
        return self._store.get(key) is not None

    def take_value(self, key: str) -> Any:
        """Consume a value once."""
        return self._store.take(key)

    def add_value(self, key: str, value: Any, exp: int | None = None) -> bool:
        """Store ``key`` if absent; True for the one caller that did (a spent state)."""
        return self._store.add(key, value, exp or self._default_ttl)
