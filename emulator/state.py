"""The running emulator's state (``Emulator``) and ``current_emulator()``.

Every part imports these from here, never from the ``emulator`` package itself, whose
``create_app`` imports all the parts: so the parts' layers (pyproject's import-linter
contract "Layers of the emulator") stay one-directional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

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
