"""The Canvas Reports LTI tool: ``create_app`` builds it; nothing happens at import."""

from __future__ import annotations

from flask import Flask

from app.config import Settings
from app.crypto import SecretBox
from app.db import Database


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app from ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # id_tokens and forms are small
    app.extensions["settings"] = settings
    app.extensions["secret_box"] = SecretBox(settings.encryption_keys)
    Database(settings.database_url).init_app(app)

    from app import cli, web

    web.init_app(app)
    cli.init_app(app)
    return app
