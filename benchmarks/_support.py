"""Shared benchmark plumbing: PostgreSQL, the emulator and gunicorn as child processes, stats.

Why separate processes: the benchmark's own client threads must not share a GIL with the
servers they time, and production runs the tool under gunicorn on PostgreSQL. Everything
listens on 127.0.0.1/localhost only and is torn down on exit.

``python benchmarks/_support.py emulator`` is the emulator child (prints its URL, serves
until its stdin closes).
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import Base, Database  # noqa: E402
from emulator.settings import EmulatorSettings  # noqa: E402
from emulator.testing import LiveEmulator  # noqa: E402
from tests.support.live import platform_add_args, register_in_emulator  # noqa: E402
from tests.support.postgres import PostgresServer, start_postgres  # noqa: E402
from tests.support.services import free_port  # noqa: E402

START_TIMEOUT = 60.0


# ------------------------------------------------------------------------------ statistics


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Summary:
    name: str
    count: int
    p50_ms: float
    p99_ms: float
    mean_ms: float

    def row(self) -> str:
        return (
            f"{self.name:<22} n={self.count:<6} p50={self.p50_ms:7.2f} ms  "
            f"p99={self.p99_ms:7.2f} ms  mean={self.mean_ms:7.2f} ms"
        )


def summarize(name: str, seconds: Sequence[float]) -> Summary:
    millis = [s * 1000 for s in seconds]
    return Summary(
        name,
        len(millis),
        percentile(millis, 0.5),
        percentile(millis, 0.99),
        statistics.mean(millis),
    )


# ------------------------------------------------------------------------------ CPU time


def _proc_stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields after "pid (comm)"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid``, its live children and the children it reaped (Linux).

    Why: on a shared machine wall-clock latency mostly measures the queue for a core;
    CPU time per request is what the tool itself costs, whatever the neighbours do.
    """
    ticks = float(os.sysconf("SC_CLK_TCK"))
    fields = _proc_stat(pid)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    for child in _children(pid):
        with contextlib.suppress(OSError):
            child_fields = _proc_stat(child)
            total += int(child_fields[11]) + int(child_fields[12])
    return total / ticks


# ------------------------------------------------------------------------------ processes


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``url`` until it answers (bounded); the child is another process starting up."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{url} died while starting:\n{log.read_text()[-3000:]}"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def postgres() -> Iterator[PostgresServer]:
    """A throwaway cluster (tests/support/postgres.py), destroyed afterwards."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.destroy()


@contextlib.contextmanager
def emulator_process(work: Path, *, size: str = "small", nice: int = 0) -> Iterator[str]:
    """The emulator in a child process on ``localhost`` (at ``nice`` lower CPU priority);
    yields its base URL."""
    log = work / "emulator.log"
    prefix = ["nice", "-n", str(nice)] if nice else []
    with log.open("wb") as out:
        child = subprocess.Popen(
            [*prefix, sys.executable, str(Path(__file__).resolve()), "emulator", size],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=out,
            cwd=ROOT,
        )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().decode().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"emulator did not start:\n{log.read_text()[-3000:]}")
        yield url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        stop(child)


@dataclass
class GunicornTool:
    """The tool under ``config/gunicorn.conf.py`` with a throwaway configuration."""

    url: str
    settings: Settings
    process: subprocess.Popen[bytes]
    log: Path


def tool_settings(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="benchmark-secret-" + "b" * 40,
        tool_base_url=f"http://127.0.0.1:{port}",
        encryption_keys=(Fernet.generate_key().decode(),),
    )


def tool_environment(
    settings: Settings, work: Path, port: int, workers: int, threads: int = 4
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TOOL_ENV"}}
    env.update(
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        ENCRYPTION_KEYS=",".join(settings.encryption_keys),
        TOOL_BASE_URL=settings.tool_base_url,
        TOOL_INSTANCE_DIR=str(work),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        # One client address drives every launch; the limiter still runs, far above it.
        RATE_LIMIT_LAUNCH="1000000 per minute",
        GUNICORN_LOG_LEVEL="warning",
    )
    return env


def prepare_database(settings: Settings) -> Database:
    """Tables from the models (what the migration produces) in the benchmark database."""
    app = create_app(settings)
    db: Database = app.extensions["db"]
    Base.metadata.create_all(db.engine)
    return db


def register(settings: Settings, emulator_url: str, tool_url: str) -> dict[str, str]:
    """Register the tool in the emulator and the platform in the tool (its CLI)."""
    registration = register_in_emulator(emulator_url, tool_url)
    app = create_app(settings)
    result = app.test_cli_runner().invoke(args=platform_add_args(registration))
    if result.exit_code != 0:
        raise RuntimeError(f"platforms add failed: {result.output}")
    app.extensions["db"].engine.dispose()
    return registration


@contextlib.contextmanager
def gunicorn_tool(
    work: Path, database_url: str, *, workers: int, threads: int = 4, port: int | None = None
) -> Iterator[GunicornTool]:
    port = port or free_port()
    settings = tool_settings(database_url, port)
    prepare_database(settings).engine.dispose()
    log = work / "gunicorn.log"
    with log.open("wb") as out:
        child = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=tool_environment(settings, work, port, workers, threads),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    tool = GunicornTool(settings.tool_base_url, settings, child, log)
    try:
        wait_for_http(f"{tool.url}/healthz", child, log)
        yield tool
    finally:
        stop(child)


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


def _serve_emulator(size: str) -> None:
    """Child entry point: serve a seeded emulator until the parent closes stdin."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with LiveEmulator(EmulatorSettings(size=size)) as live:
        sys.stdout.write(live.url + "\n")
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "emulator":
        _serve_emulator(sys.argv[2] if len(sys.argv) > 2 else "small")
