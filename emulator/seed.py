"""Deterministic seeded Canvas data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator import Emulator


def reset(emulator: Emulator) -> None:
    """Rebuild the store from ``emulator.settings.seed`` and ``size``."""
