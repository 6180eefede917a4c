"""HTTP layer: blueprints, templates, static files, error rendering."""

from __future__ import annotations

from flask import Flask

from app.web import (
    auth,
    diff,
    handlers,
    health,
    insights,
    landing,
    lti,
    oauth,
    reports,
    schedules,
    security,
    stewardship,
)


def init_app(app: Flask) -> None:
    handlers.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    for blueprint in (health.bp, lti.bp, landing.bp, oauth.bp, reports.bp, insights.bp, diff.bp,
                      schedules.bp, stewardship.bp):
        app.register_blueprint(blueprint)
