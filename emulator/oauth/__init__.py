"""Emulator part: the OAuth2 provider for user-scoped REST API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the OAuth2 endpoints."""
    from emulator.oauth import views  # noqa: PLC0415 (avoid import cycles at package load)

    app.register_blueprint(views.bp)
