"""A local Canvas LMS: LTI 1.3 platform, OAuth2 provider, report APIs and a clickable shell.

It never imports ``app``; the tool talks to it over HTTP exactly as to a real Canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from emulator.settings import EmulatorSettings
from emulator.store import Store


@dataclass
class Emulator:
    """The running emulator's state, reachable from views via ``current_emulator()``."""

    settings: EmulatorSettings
    store: Store
    # Owned by the modules that use them (platform keys, faults, throttle buckets, ...).
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.settings.base_url


def current_emulator() -> Emulator:
    emulator: Emulator = current_app.extensions["emulator"]
    return emulator


def create_app(settings: EmulatorSettings | None = None) -> Flask:
    """Build the emulator app; the store is seeded deterministically from ``settings.seed``."""
    settings = settings or EmulatorSettings.from_env()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config["SECRET_KEY"] = settings.secret_key
    emulator = Emulator(settings=settings, store=Store())
    app.extensions["emulator"] = emulator

    # Imported here: the parts import ``current_emulator`` from this module.
    from emulator import api, control, lti, oauth, seed, shell  # noqa: PLC0415

    seed.reset(emulator)
    for part in (control, api, lti, oauth, shell):
        part.init_app(app)
    return app
