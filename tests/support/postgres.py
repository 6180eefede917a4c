"""A throwaway PostgreSQL cluster for the test session (pytest plugin).

Why this exists: SQLite hides locking, typing and transaction differences that bite in
production, so the migration, reliability and load paths also run on a real PostgreSQL. The
cluster lives in a temporary directory, listens on 127.0.0.1 on a free port (and a unix socket in
the same directory), trusts local connections and is removed at the end of the session.

PostgreSQL refuses to run as root; when the tests run as root (CI does) the server runs as the
``postgres`` system user if the machine has one, else as a ``pgtest`` system user created here.

Fixtures:
    ``postgres_server``     the running :class:`PostgresServer` (session); ``restart()`` for
                            reliability tests.
    ``postgres_url``        ``postgresql+psycopg://`` URL of a database shared by the session.
    ``fresh_postgres_url``  URL of a new, empty database for one test (dropped afterwards).

Without the binaries the fixtures skip with the reason, except under ``CI=true`` where they fail:
CI must never report PostgreSQL tests as passed when they did not run.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.support.services import free_port, unavailable

SUPERUSER = "postgres"
SYSTEM_USER_CANDIDATES = ("postgres", "pgtest")
START_TIMEOUT_SECONDS = 60


class PostgresUnavailableError(RuntimeError):
    """The binaries are missing or the cluster would not start (message says why)."""


def find_bindir() -> Path | None:
    """Where ``initdb``, ``pg_ctl`` and ``postgres`` live: ``$PG_BINDIR``, ``PATH``, Debian's."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()),
            key=lambda p: int(p.name),
            reverse=True,
        )
        candidates.extend(v / "bin" for v in versions)
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account the server processes run as (``None`` ids: as ourselves)."""

    uid: int | None
    gid: int | None
    name: str


def unprivileged_account() -> RunAs:
    """Ourselves when not root; otherwise a system user, created if the machine has none."""
    if os.geteuid() != 0:
        return RunAs(uid=None, gid=None, name=pwd.getpwuid(os.geteuid()).pw_name)
    for name in SYSTEM_USER_CANDIDATES:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=name)
    name = SYSTEM_USER_CANDIDATES[-1]
    created = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        raise PostgresUnavailableError(
            f"cannot create system user {name!r} to run PostgreSQL: {created.stderr.strip()}"
        )
    entry = pwd.getpwnam(name)
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=name)


class PostgresServer:
    """One cluster: ``start()``, ``stop()``, ``restart()``, and databases on demand."""

    def __init__(self, bindir: Path, account: RunAs) -> None:
        self.bindir = bindir
        self.account = account
        self.base_dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "server.log"
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        if account.uid is not None and account.gid is not None:
            os.chown(self.base_dir, account.uid, account.gid)
        self.base_dir.chmod(0o700)

    # -- processes ---------------------------------------------------------------------------

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return self._run_unchecked(*args)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PostgresUnavailableError(f"cannot run {args[0]}: {exc}") from exc

    def _run_unchecked(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.base_dir,
            user=self.account.uid,
            group=self.account.gid,
            extra_groups=[] if self.account.uid is not None else None,
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            timeout=START_TIMEOUT_SECONDS + 30,
        )

    def init(self) -> None:
        """``initdb`` a UTF-8 cluster trusting local connections (nothing leaves 127.0.0.1)."""
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        if result.returncode != 0:
            raise PostgresUnavailableError(f"initdb failed: {result.stderr.strip()[-2000:]}")

    def start(self) -> None:
        """Start and wait until it accepts connections; durability is traded for speed."""
        options = " ".join(
            [
                f"-c listen_addresses={self.host}",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.base_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
                "-c timezone=UTC",
            ]
        )
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-o",
            options,
            "start",
        )
        if result.returncode != 0:
            raise PostgresUnavailableError(
                f"pg_ctl start failed: {result.stderr.strip()}\n{self.log_tail()}"
            )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` simulates a crash for reliability tests)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stop (fast) and start again on the same port: clients see dropped connections."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        """Stop and delete the cluster's directory."""
        self.stop("immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    # -- databases ---------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database``."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        """libpq URL of ``database`` (for ``psycopg.connect``)."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (random name unless given); returns its SQLAlchemy URL."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even if connections are still open (a test's pool may linger)."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def start_postgres() -> PostgresServer:
    """Find the binaries, pick the account, ``initdb`` and start a cluster.

    Raises:
        PostgresUnavailableError: no binaries, no usable account, or the server won't start.
    """
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailableError(
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found on PATH, in $PG_BINDIR or "
            "/usr/lib/postgresql/*/bin; install Debian's postgresql-15 to run these tests"
        )
    server = PostgresServer(bindir, unprivileged_account())
    try:
        server.init()
        server.start()
    except Exception:
        shutil.rmtree(server.base_dir, ignore_errors=True)
        raise
    return server


def require_postgres() -> PostgresServer:
    """Start a cluster, or skip (no binaries, locally) or fail (in CI, or it would not start)."""
    if find_bindir() is None:
        unavailable("PostgreSQL binaries (initdb, pg_ctl, postgres) not found")
    try:
        return start_postgres()
    except PostgresUnavailableError as exc:
        pytest.fail(f"PostgreSQL could not start: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL cluster (skips locally without binaries; fails in CI)."""
    server = require_postgres()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A database shared by the whole session (tests must clean up what they write)."""
    return postgres_server.create_database("tests")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url.rsplit("/", 1)[1])
