"""Test and demo control interface (``/_emulator/*``): faults, clock, reset."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the control blueprint."""
