"""The Canvas API endpoints the tool calls: one per ``CanvasClient`` method, with its scope.

This table is the single source of the scopes the tool asks for (``CANVAS_SCOPES`` in
``app/config.py``, the OAuth ``scope`` parameter, the README's list printed by
``scripts/canvas-scopes``). ``app.canvas.client`` marks each API method with ``@endpoint``,
which refuses (at import) a method missing here; tests check that each method calls exactly
its path and that every method is used by the tool, so no scope is requested "just in case".

It lives outside ``app.canvas`` because ``app.config`` reads it and the layers below
``app.canvas`` use ``app.config`` (reference for the scope format: lti-oauth.md 7.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar


@dataclass(frozen=True)
class Endpoint:
    """One Canvas route, written as Canvas writes it in a developer key's scopes."""

    method: str
    path: str  # e.g. "/api/v1/accounts/:account_id/reports"

    @property
    def scope(self) -> str:
        return f"url:{self.method}|{self.path}"


ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType({
    # account reports
    "list_available_reports": Endpoint("GET", "/api/v1/accounts/:account_id/reports"),
    "list_account_reports": Endpoint("GET", "/api/v1/accounts/:account_id/reports/:report"),
    "start_account_report": Endpoint("POST", "/api/v1/accounts/:account_id/reports/:report"),
    "get_account_report": Endpoint("GET", "/api/v1/accounts/:account_id/reports/:report/:id"),
    "delete_account_report": Endpoint(
        "DELETE", "/api/v1/accounts/:account_id/reports/:report/:id"),
    "abort_account_report": Endpoint(
        "PUT", "/api/v1/accounts/:account_id/reports/:report/:id/abort"),
    "list_terms": Endpoint("GET", "/api/v1/accounts/:account_id/terms"),
    # accounts: schedules' time zone, who administers a root account (privacy settings),
    # sub-accounts an admin's audit export and schedule list cover
    "get_account": Endpoint("GET", "/api/v1/accounts/:id"),
    "list_accounts": Endpoint("GET", "/api/v1/accounts"),
    "list_sub_accounts": Endpoint("GET", "/api/v1/accounts/:account_id/sub_accounts"),
    "list_courses": Endpoint("GET", "/api/v1/accounts/:account_id/courses"),  # report forms
    # course reports
    "start_course_report": Endpoint("POST", "/api/v1/courses/:course_id/reports/:report_type"),
    "get_course_report": Endpoint(
        "GET", "/api/v1/courses/:course_id/reports/:report_type/:id"),
    "last_course_report": Endpoint("GET", "/api/v1/courses/:course_id/reports/:report_type"),
    # quizzes and classic quiz reports
    "list_quizzes": Endpoint("GET", "/api/v1/courses/:course_id/quizzes"),
    "list_assignments": Endpoint("GET", "/api/v1/courses/:course_id/assignments"),
    "list_quiz_reports": Endpoint("GET", "/api/v1/courses/:course_id/quizzes/:quiz_id/reports"),
    "create_quiz_report": Endpoint(
        "POST", "/api/v1/courses/:course_id/quizzes/:quiz_id/reports"),
    "get_quiz_report": Endpoint(
        "GET", "/api/v1/courses/:course_id/quizzes/:quiz_id/reports/:id"),
    "abort_quiz_report": Endpoint(
        "DELETE", "/api/v1/courses/:course_id/quizzes/:quiz_id/reports/:id"),
    # New Quizzes, progress, files
    "create_new_quiz_report": Endpoint(
        "POST", "/api/quiz/v1/courses/:course_id/quizzes/:assignment_id/reports"),
    "get_progress": Endpoint("GET", "/api/v1/progress/:id"),
    "cancel_progress": Endpoint("POST", "/api/v1/progress/:id/cancel"),
    "get_file": Endpoint("GET", "/api/v1/files/:id"),
})

F = TypeVar("F", bound=Callable[..., object])


def endpoint(method: F) -> F:
    """Mark a ``CanvasClient`` method as calling ``ENDPOINTS[<its name>]``.

    Raises:
        LookupError: at import, for a method with no declared endpoint (and so no scope).
    """
    name = method.__name__
    if name not in ENDPOINTS:
        raise LookupError(f"CanvasClient.{name} has no entry in app/canvas_endpoints.py")
    return method


def canvas_scopes() -> tuple[str, ...]:
    """Every scope the tool's Canvas calls need, each once, in the table's order."""
    return tuple(dict.fromkeys(e.scope for e in ENDPOINTS.values()))
