"""Typed access to the objects ``create_app`` puts in ``app.extensions``."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.config import Settings
from app.crypto import SecretBox


def current_settings() -> Settings:
    settings: Settings = current_app.extensions["settings"]
    return settings


def current_secret_box() -> SecretBox:
    box: SecretBox = current_app.extensions["secret_box"]
    return box


def current_now() -> datetime:
    """The app's clock (tests replace ``app.extensions["clock"]`` to control time)."""
    now: datetime = current_app.extensions["clock"]()
    return now
