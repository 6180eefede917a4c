"""Canvas's API error bodies (reports-api.md §0.2) as one exception type.

Views raise ``ApiError`` (usually through the helpers below) and ``register`` renders it, so
every endpoint produces byte-for-byte the same bodies and headers Canvas does.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify

WWW_AUTHENTICATE = 'Bearer realm="canvas-lms"'
NOT_FOUND_MESSAGE = "The specified resource does not exist."


class ApiError(Exception):
    """An error response: status, JSON body and extra headers."""

    def __init__(self, status: int, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> Response:
        response = jsonify(self.body)
        response.status_code = self.status
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def unauthenticated() -> ApiError:
    """No credentials at all (``render_json_unauthorized`` for a missing user)."""
    return ApiError(
        401,
        {"status": "unauthenticated", "errors": [{"message": "user authorization required"}]},
        {"WWW-Authenticate": WWW_AUTHENTICATE},
    )


def invalid_token(message: str = "Invalid access token.",
                  extra: dict[str, Any] | None = None) -> ApiError:
    """A bad, expired or revoked bearer token (``AccessTokenError``)."""
    error: dict[str, Any] = {"message": message}
    body: dict[str, Any] = {"errors": [error]}
    if extra:
        body.update(extra)
    return ApiError(401, body, {"WWW-Authenticate": WWW_AUTHENTICATE})


def insufficient_scopes() -> ApiError:
    """A scoped developer key's token calling an endpoint outside its scopes."""
    return ApiError(401, {"errors": [{"message": "Insufficient scopes on access token."}]})


def unauthorized(status: int = 401) -> ApiError:
    """Logged in but not allowed (401, or 403 under ``api_auth_error_updates``)."""
    return ApiError(
        status,
        {"status": "unauthorized",
         "errors": [{"message": "user not authorized to perform that action"}]},
    )


def not_found() -> ApiError:
    """``ActiveRecord::RecordNotFound``."""
    return ApiError(404, {"errors": [{"message": NOT_FOUND_MESSAGE}]})


def reject(message: str, status: int) -> ApiError:
    """``reject!(msg, status)``: the status symbol Rack uses plus the message."""
    return ApiError(status, {"status": status_symbol(status), "message": message})


def bad_request(body: dict[str, Any]) -> ApiError:
    """A 400 with a controller-specific body (e.g. ``{"error": "..."}``)."""
    return ApiError(400, body)


def status_symbol(status: int) -> str:
    """Rack's symbol for a status, e.g. 409 → ``conflict``, 422 → ``unprocessable_entity``."""
    if status == 422:
        return "unprocessable_entity"  # the Rack 2 name Canvas's specs assert
    return HTTPStatus(status).name.lower()


def register(app: Flask) -> None:
    """Render ``ApiError`` wherever it is raised (views and before_request hooks)."""

    @app.errorhandler(ApiError)
    def _render(error: ApiError) -> Response:
        return error.response()
