"""The pylti1p3 example app (``benchmarks/pylti1p3_example/``) under the tool's gunicorn config.

Same ``config/gunicorn.conf.py``, worker count and threads as the tool; only the WSGI app
differs. Its tool configuration (pylti1p3's JSON file) is written after the emulator has
registered it, which is fine because the example reads the file on every request.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from _support import ROOT, stop, wait_for_http
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.live import register_in_emulator
from tests.support.services import free_port

EXAMPLE_DIR = Path(__file__).resolve().parent / "pylti1p3_example"


@dataclass
class ExampleTool:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    config: Path

    def register(self, emulator_url: str) -> dict[str, str]:
        """Register in the emulator, then write pylti1p3's tool config from the answer."""
        answer = register_in_emulator(emulator_url, self.url)
        key = self.config.parent / "example-private.key"
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        entry = {
            "default": True,
            "client_id": answer["client_id"],
            "auth_login_url": answer["auth_login_url"],
            "auth_token_url": answer["auth_token_url"],
            "key_set_url": answer["key_set_url"],
            "key_set": None,
            "private_key_file": str(key),
            "deployment_ids": [answer["deployment_id"]],
        }
        self.config.write_text(json.dumps({answer["issuer"]: [entry]}))
        return answer


@contextlib.contextmanager
def example_tool(
    work: Path, *, workers: int, threads: int, key_cache: bool = False
) -> Iterator[ExampleTool]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = work / "example-tool.json"
    config.write_text("{}")
    log = work / "example.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "EXAMPLE_CONFIG": str(config),
        "EXAMPLE_BASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_LOG_LEVEL": "warning",
        "EXAMPLE_KEY_CACHE": "1" if key_cache else "0",
    }
    with log.open("wb") as out:
        child = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "config" / "gunicorn.conf.py"),
                "--chdir",
                str(EXAMPLE_DIR),
                "app:app",
            ],
            cwd=EXAMPLE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    tool = ExampleTool(url, child, log, config)
    try:
        wait_for_http(f"{url}/healthz", child, log)
        yield tool
    finally:
        stop(child)
