"""Emulator part: the LTI 1.3 platform (JWKS, authorize, registration, storage frame)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from emulator.state import Emulator


def init_app(app: Flask) -> None:
    """Register the platform's blueprints, its reset hook and the start-up tools."""
    # Imported here: the submodules import ``emulator`` and each other (cycles at load time).
    from emulator.lti import authorize, control, dynamic, startup, storage  # noqa: PLC0415

    for module in (authorize, control, dynamic, storage):
        app.register_blueprint(module.bp)
    emulator: Emulator = app.extensions["emulator"]
    with emulator.store.lock:
        hooks: list[object] = emulator.parts.setdefault("reset_hooks", [])
        if startup.reset_hook not in hooks:
            hooks.append(startup.reset_hook)
    startup.register_startup_tools(emulator)
