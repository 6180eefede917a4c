"""Security headers on every response: CSP (frame-ancestors = registered Canvases) and friends."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter, Map

from app.db import request_session
from app.extensions import current_settings
from app.lti.frame_origins import FrameOrigins


def _frame_ancestors() -> str:
    cache: FrameOrigins = current_app.extensions["frame_origins"]
    try:
        origins = cache.get(request_session())
    except SQLAlchemyError:
        current_app.logger.warning("csp.frame_origins_unavailable")
        origins = []
    return " ".join(["'self'", *origins])


# Non-page responses (JSON, files, scripts) are never framed or rendered as documents.
_NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _page_csp() -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {_frame_ancestors()}"
    )


def _add_headers(response: Response) -> Response:
    if "Content-Security-Policy" not in response.headers:
        # Only HTML pages are framed by Canvas; only they pay for the registrations query.
        is_page = response.mimetype == "text/html"
        response.headers["Content-Security-Policy"] = _page_csp() if is_page else _NON_PAGE_CSP
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Links inside the tool carry ?lt=; never send them to another site as a Referer.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    # The tool needs no powerful browser features; deny them to anything it frames or loads.
    response.headers.setdefault(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    )
    if current_settings().production:  # behind TLS only: HSTS on plain-HTTP demo hosts would stick
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to the database's 64-bit integers (a longer id is simply a 404
    instead of an overflow deep in the driver)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before the blueprints register their rules: converters are bound then.
    app.url_map.converters["int"] = BoundedIntConverter
    app.extensions["frame_origins"] = FrameOrigins()
    app.after_request(_add_headers)
