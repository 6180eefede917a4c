"""The tool's error hierarchy; each error carries an HTTP status and a message safe to show."""

from __future__ import annotations

import click


class ToolError(Exception):
    """Base for errors the tool shows to users; ``message`` never contains secrets."""

    status: int = 500
    code: str = "tool_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(ToolError, click.ClickException):  # type: ignore[misc]
    """The tool is misconfigured (raised at start-up).

    Also a ``ClickException``: ``flask --app app ...`` then prints the message on one line
    instead of a traceback when the app factory refuses the configuration.
    """

    code = "configuration_error"


class LaunchError(ToolError):
    status = 400
    code = "launch_error"


class NotAuthorized(ToolError):
    status = 403
    code = "not_authorized"


class NotFound(ToolError):
    status = 404
    code = "not_found"


class BadRequest(ToolError):
    status = 400
    code = "bad_request"


class IllegalTransition(ToolError):
    status = 409
    code = "illegal_transition"
