"""Renders errors as a page or JSON, in one place: ToolErrors and HTTP errors (404, 413...).

Every error page offers the way back (``app/web/way_back.py``): the tool page the user came
from, else the launch's reports home, and shows what a form sent so nothing typed is lost.
Canvas's permission refusals are put in plain words, never Canvas's raw message.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.canvas.errors import CanvasNotPermitted
from app.errors import ToolError
from app.i18n import translate_known
from app.web import way_back

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(ToolError, _render_tool_error)
    app.register_error_handler(CanvasNotPermitted, _render_canvas_refusal)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(OperationalError, _render_database_down)
    app.jinja_env.globals["error_way_back"] = way_back.find


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.path.startswith("/api/")


def _render(
    status: int, code: str, message: str, *, database_up: bool = True
) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=code, message=message), status
    page = render_template(
        "error.html",
        status=status,
        code=code,
        message=message,
        back=way_back.find(database_up=database_up),
        kept=way_back.kept_input(status),
    )
    return page, status


def _render_tool_error(error: ToolError) -> ResponseReturnValue:
    if error.status >= 500:
        log.error("tool_error", extra={"code": error.code, "path": request.path})
    else:
        log.info("tool_error", extra={"code": error.code, "status": error.status})
    # Marked with N_() where raised: shown in the request's locale (Canvas's words as sent).
    return _render(error.status, error.code, translate_known(error.message))


def _render_canvas_refusal(error: CanvasNotPermitted) -> ResponseReturnValue:
    """Canvas said no (its words: "user not authorized to perform that action"): say what
    Canvas refused and who can change it; Canvas's own words go to the log only."""
    log.info(
        "canvas_not_permitted",
        extra={"status": error.canvas_status, "canvas_message": error.message[:200]},
    )
    message = gettext(
        "Canvas does not allow you to %(action)s. If you need to, ask your Canvas admin "
        "to give your role that permission.",
        action=way_back.refused_action(),
    )
    return _render(error.status, error.code, message)


def _render_database_down(error: OperationalError) -> ResponseReturnValue:
    """The database is unreachable (restart, network, wrong DATABASE_URL host): a 503 page,
    one log line with the driver's reason (never the URL's password), no traceback."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
    log.error("database_unavailable", extra={"reason": reason[:200], "path": request.path})
    return _render(
        503,
        "database_unavailable",
        "The tool's database is not reachable. Try again shortly.",
        database_up=False,
    )


def _render_http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    messages = {
        404: gettext("This page does not exist."),
        405: gettext("This address does not accept that kind of request."),
        413: gettext("The request is too large."),
    }
    message = messages.get(
        status, error.description or gettext("The request could not be handled.")
    )
    return _render(status, (error.name or "error").lower().replace(" ", "_"), message)
