"""A live tool server on 127.0.0.1, registered in a live emulator on ``localhost``.

Why two host names: ``localhost`` and ``127.0.0.1`` are different sites to a browser, so the
tool in the emulator's iframe is really third-party, exactly as a tool on its own domain inside
``*.instructure.com``; cookie blocking then bites as it does in production.

Registration goes through the documented HTTP contracts only: the tool's ``/lti_config.json`` is
posted to the emulator's ``POST /_emulator/tools`` and the answer is given, unchanged, to the
tool's ``flask platforms add`` command.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
from cryptography.fernet import Fernet
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.config import Settings
from app.db import Base, Database
from app.lti.registrations import PlatformInput

# The fields ``platforms add`` takes, named as ``POST /_emulator/tools`` answers them.
REGISTRATION_FIELDS = tuple(field.name for field in dataclasses.fields(PlatformInput))

StartResponse = Callable[..., Any]


class LiveTool:
    """The tool served by a threaded werkzeug server on a free port of ``host``.

    The port is bound before the app is built, so ``Settings.tool_base_url`` is the real URL.
    The database is SQLite in ``data_dir`` unless ``database_url`` is given.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        database_url: str | None = None,
        huey_immediate: bool = True,
        **overrides: Any,
    ) -> None:
        self._app: Flask | None = None
        self._server: BaseWSGIServer = make_server(host, 0, self._dispatch, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self.data_dir = data_dir
        self.settings = Settings(
            database_url=database_url or f"sqlite:///{data_dir / 'tool.db'}",
            secret_key="live-tool-secret-" + "k" * 32,
            tool_base_url=self.url,
            encryption_keys=(Fernet.generate_key().decode(),),
            huey_immediate=huey_immediate,
        ).with_overrides(**overrides)
        self._app = create_app(self.settings)
        db: Database = self._app.extensions["db"]
        Base.metadata.create_all(db.engine)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def app(self) -> Flask:
        assert self._app is not None
        return self._app

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        result: Iterable[bytes] = self.app.wsgi_app(environ, start_response)
        return result

    def start(self) -> LiveTool:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        db: Database = self.app.extensions["db"]
        db.engine.dispose()

    def __enter__(self) -> LiveTool:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


class LiveWorker:
    """The tool's job worker (``flask --app app worker``) as a child process of the tests.

    It reads the same database and Huey queue as ``tool`` (build that tool with
    ``huey_immediate=False``), so jobs advance as they do in the demo and in production.
    """

    def __init__(self, tool: LiveTool, threads: int = 2) -> None:
        if tool.settings.huey_immediate:
            raise ValueError("a LiveWorker needs a LiveTool built with huey_immediate=False")
        self.tool = tool
        self.threads = threads
        self.log_file = tool.data_dir / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        """What ``Settings.from_env`` turns into the tool's own settings."""
        settings = self.tool.settings
        env = {k: v for k, v in os.environ.items() if k not in {"TOOL_ENV", "REDIS_URL"}}
        env.update(
            DATABASE_URL=settings.database_url,
            SECRET_KEY=settings.secret_key,
            ENCRYPTION_KEYS=",".join(settings.encryption_keys),
            TOOL_BASE_URL=settings.tool_base_url,
            TOOL_INSTANCE_DIR=str(self.tool.data_dir),
            PYTHONUNBUFFERED="1",
        )
        if settings.redis_url:
            env["REDIS_URL"] = settings.redis_url
        return env

    def start(self) -> LiveWorker:
        flask = Path(sys.executable).parent / "flask"
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [str(flask), "--app", "app", "worker", "--workers", str(self.threads)],
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def __enter__(self) -> LiveWorker:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


def register_in_emulator(emulator_url: str, tool_url: str) -> dict[str, str]:
    """Post the tool's ``/lti_config.json`` to the emulator; returns the registration answer."""
    config = requests.get(f"{tool_url}/lti_config.json", timeout=10)
    config.raise_for_status()
    answer = requests.post(
        f"{emulator_url}/_emulator/tools",
        json={
            "lti_config": config.json(),
            "api_redirect_uris": [f"{tool_url}/oauth/callback"],
            "require_scopes": False,
        },
        timeout=10,
    )
    answer.raise_for_status()
    registration: dict[str, str] = answer.json()
    return registration


def platform_add_args(registration: dict[str, str]) -> list[str]:
    """``platforms add`` arguments from a registration answer (same names, dashed)."""
    missing = [name for name in REGISTRATION_FIELDS if not registration.get(name)]
    if missing:
        raise ValueError(f"registration answer lacks {', '.join(missing)}")
    args = ["platforms", "add"]
    for name in REGISTRATION_FIELDS:
        args += [f"--{name.replace('_', '-')}", str(registration[name])]
    return args


def register_tool(tool: LiveTool, emulator_url: str) -> dict[str, str]:
    """Register ``tool`` in the emulator and the platform in the tool (CLI, in process)."""
    registration = register_in_emulator(emulator_url, tool.url)
    result = tool.app.test_cli_runner().invoke(args=platform_add_args(registration))
    if result.exit_code != 0:
        raise RuntimeError(f"platforms add failed ({result.exit_code}): {result.output}")
    return registration
