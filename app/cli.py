"""``flask --app app ...`` commands: platforms, keys, db."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register command groups (filled in by the launch-core work)."""
