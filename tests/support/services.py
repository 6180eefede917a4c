"""What the PostgreSQL and Redis plugins share: free ports, CI detection, skip-or-fail."""

from __future__ import annotations

import os
import socket
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """CI sets ``CI=true``; there a missing service is a failure, never a skip."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip locally (a developer may lack the server) but fail in CI (it must never be skipped)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: services must start, not be skipped)", pytrace=False)
    pytest.skip(reason)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
