"""HTTP layer: blueprints, templates, static files, error rendering."""

from __future__ import annotations

from flask import Flask

from app.web import handlers, health, insights, lti, oauth, reports


def init_app(app: Flask) -> None:
    handlers.init_app(app)
    for blueprint in (health.bp, lti.bp, oauth.bp, reports.bp, insights.bp):
        app.register_blueprint(blueprint)
