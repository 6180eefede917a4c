"""Renders ToolErrors as a page or JSON, in one place."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.errors import ToolError


def init_app(app: Flask) -> None:
    app.register_error_handler(ToolError, _render_tool_error)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.path.startswith("/api/")


def _render_tool_error(error: ToolError) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=error.code, message=error.message), error.status
    return render_template("error.html", error=error), error.status
