"""A throwaway Redis server for the test session (pytest plugin).

Why this exists: production runs the job queue (Huey) and locks on Redis; those paths are tested
against a real ``redis-server`` on 127.0.0.1 and a free port, with persistence off, in a
temporary directory removed at the end of the session.

Fixtures:
    ``redis_server``     the running :class:`RedisServer` (session); ``restart()`` for
                         reliability tests.
    ``redis_url``        ``redis://127.0.0.1:<port>/0`` (shared by the session).
    ``fresh_redis_url``  the same server, flushed before the test.

Without ``redis-server`` the fixtures skip with the reason, except under ``CI=true`` where they
fail.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.services import free_port, unavailable

START_TIMEOUT_SECONDS = 20.0


class RedisUnavailableError(RuntimeError):
    """``redis-server`` is missing or would not start (message says why)."""


class RedisServer:
    """One ``redis-server`` process: ``start()``, ``stop()``, ``restart()``."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.base_dir = Path(tempfile.mkdtemp(prefix="redistest-"))
        self.log_file = self.base_dir / "server.log"
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        """Start and wait for ``PING``; persistence is off (tests need none)."""
        self.process = subprocess.Popen(
            [
                self.executable,
                "--bind",
                self.host,
                "--port",
                str(self.port),
                "--dir",
                str(self.base_dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log_file),
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client = redis.Redis(host=self.host, port=self.port, socket_timeout=1)
        try:
            while True:
                if self.process.poll() is not None:
                    raise RedisUnavailableError(
                        f"redis-server exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RedisUnavailableError(
                        f"redis-server not ready after {START_TIMEOUT_SECONDS}s:\n{self.log_tail()}"
                    )
                time.sleep(0.02)  # waiting for another process; there is no clock to pass
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start on the same port (data is lost: persistence is off)."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def flush(self) -> None:
        with redis.Redis(host=self.host, port=self.port) as client:
            client.flushall()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def start_redis() -> RedisServer:
    """Start a server.

    Raises:
        RedisUnavailableError: ``redis-server`` is not on PATH or would not start.
    """
    executable = shutil.which("redis-server")
    if executable is None:
        raise RedisUnavailableError("redis-server not found on PATH; install Debian's redis-server")
    server = RedisServer(executable)
    try:
        server.start()
    except Exception:
        server.destroy()
        raise
    return server


def require_redis() -> RedisServer:
    """Start a server, or skip (not installed, locally) or fail (in CI, or it would not start)."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server not found on PATH")
    try:
        return start_redis()
    except RedisUnavailableError as exc:
        pytest.fail(f"Redis could not start: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """The session's Redis (skips locally without ``redis-server``; fails in CI)."""
    server = require_redis()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def fresh_redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url
