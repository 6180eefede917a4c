"""The Canvas Reports LTI tool: ``create_app`` builds it; nothing happens at import."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings
from app.crypto import SecretBox
from app.db import Database, utcnow
from app.lti.runtime import build_runtime
from app.server_timing import ServerTiming


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app from ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # id_tokens and forms are small
    app.extensions["settings"] = settings
    app.extensions["secret_box"] = SecretBox(settings.encryption_keys)
    database = Database(settings.database_url)
    database.init_app(app)
    # The clock every time-dependent check reads; tests replace it instead of sleeping.
    app.extensions["clock"] = utcnow
    app.wsgi_app = ServerTiming(app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
        )

    from app import cli, i18n, observability, ratelimit, web  # noqa: PLC0415 - lazy imports

    # First hook: every later hook, refusal and log line already has the request id.
    observability.init_app(app, level=settings.log_level, json_lines=settings.log_json)

    app.extensions["lti"] = build_runtime(
        settings,
        database.sessions,
        lambda: app.extensions["clock"](),  # noqa: PLW0108 - late-bound
    )
    i18n.init_app(app)
    _wire_reports(app)
    web.init_app(app)
    ratelimit.init_app(app, settings)  # after the blueprints: it names their views
    cli.init_app(app)
    return app


def _wire_reports(app: Flask) -> None:
    """The reports domain's services, once per app: the job queue and its tasks (Huey), the
    Canvas answer cache, the rights cache, and the ``flask worker`` command."""
    from app.reports import canvas_cache, rights, worker  # noqa: PLC0415 - lazy imports

    worker.init_app(app)
    canvas_cache.init_app(app)
    rights.init_app(app)
    app.cli.add_command(worker.worker_command)
