"""Emulator part: the LTI 1.3 platform (JWKS, authorize, registration, storage frame)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the platform's blueprints."""
    from emulator.lti import authorize, control, dynamic, storage  # noqa: PLC0415 (avoid import cycles at package load)

    for module in (authorize, control, dynamic, storage):
        app.register_blueprint(module.bp)
