"""A local Canvas LMS: LTI 1.3 platform, OAuth2 provider, report APIs and a clickable shell.

It never imports ``app``; the tool talks to it over HTTP exactly as to a real Canvas.
"""

from __future__ import annotations

from flask import Flask

from emulator.settings import EmulatorSettings
from emulator.state import Emulator, current_emulator
from emulator.store import Store

__all__ = ["Emulator", "create_app", "current_emulator"]


def create_app(settings: EmulatorSettings | None = None) -> Flask:
    """Build the emulator app; the store is seeded deterministically from ``settings.seed``."""
    settings = settings or EmulatorSettings.from_env()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config["SECRET_KEY"] = settings.secret_key
    emulator = Emulator(settings=settings, store=Store())
    app.extensions["emulator"] = emulator

    # Imported here: the parts are built on ``emulator.state``, not on this package.
    from emulator import api, control, lti, oauth, seed, shell  # noqa: PLC0415

    seed.reset(emulator)
    for part in (control, api, lti, oauth, shell):
        part.init_app(app)
    return app
