"""config/gunicorn.conf.py serves the tool, and its access log never records query strings."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "gunicorn.conf.py"


def test_config_values_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    values = runpy.run_path(str(CONFIG))
    assert (values["workers"], values["threads"], values["bind"]) == (3, 8, "0.0.0.0:9000")
    assert values["wsgi_app"] == "app:create_app()"
    assert values["preload_app"] is False
    assert "%(q)s" not in values["access_log_format"]
    assert "%(r)s" not in values["access_log_format"]


@pytest.mark.slow
def test_gunicorn_serves_health_and_keeps_launch_tokens_out_of_the_log(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TOOL_INSTANCE_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONFIG)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    answer = requests.get(
                        f"http://127.0.0.1:{port}/healthz?lt=launch-token-secret", timeout=10
                    )
                    break
                except (requests.ConnectionError, requests.Timeout):
                    # Still starting: the first request imports the app (slow on a busy box).
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)  # gunicorn is another process starting up
            ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert answer.status_code == 200
    assert ready.status_code == 200
    logged = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in logged
    assert "launch-token-secret" not in logged
