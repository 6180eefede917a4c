"""Emulator part: the clickable Canvas shell."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the shell's pages."""
    from emulator.shell import developer_keys, launch, views  # noqa: PLC0415 (avoid import cycles at package load)

    for module in (views, launch, developer_keys):
        app.register_blueprint(module.bp)
