"""Blueprint: where each placement lands — the reports themselves, no page in between.

- course navigation → the course's reports (its quizzes with their analyses, course reports);
- account navigation → the account's report catalogue;
- quiz/assignment menus → the quiz Canvas named (custom field, target link, a classic quiz's
  assignment, a New Quiz), else the quiz picker (``app/reports/quiz_resolution.py``).

Without a Canvas token the same address asks for authorization in place (status 200: it
is the page's first state, not an error); after consent the page reloads into the reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.canvas.authorization import connection_status
from app.canvas.errors import CanvasAuthorizationRequired
from app.db import request_session
from app.errors import BadRequest, NotAuthorized
from app.extensions import current_secret_box
from app.i18n import N_
from app.inputs import parse_positive_id
from app.lti.claims import landing_for
from app.lti.roles import may_use_placement, role_label
from app.models.launch import Launch
from app.reports import quiz_resolution
from app.web import quiz_picker
from app.web.auth import current_launch, launch_required
from app.web.reports import pages as report_views

bp = Blueprint("landing", __name__)


def _launch_for(page: str) -> Launch:
    """The request's launch, if it was made for ``page`` and the user may see it."""
    launch = current_launch()
    if landing_for(launch.placement) != page:
        raise NotAuthorized(N_("This page belongs to another placement. Open it from Canvas."))
    if not may_use_placement(launch, launch.context_type):
        raise NotAuthorized(N_("Your role does not give access to this page."))
    return launch


def _or_connect(render: Callable[[], ResponseReturnValue], title: str) -> ResponseReturnValue:
    """``render()``, or the Canvas connection asked for in place when there is no token
    (checked first: a first launch then costs one token lookup, not a failed client)."""
    status = connection_status(request_session(), current_launch(), current_secret_box())
    if not status.connected:
        return _connect_page(None, title)
    try:
        return render()
    except CanvasAuthorizationRequired as needed:  # a token Canvas no longer accepts
        return _connect_page(needed.message, title)


def _connect_page(message: str | None, title: str) -> ResponseReturnValue:
    page = render_template(
        "oauth/authorize_required.html", message=message, has_launch=True, page_title=title
    )
    return page, 200


@bp.get("/course")
@launch_required
def course() -> ResponseReturnValue:
    _launch_for("course")
    return _or_connect(report_views.course, N_("Course reports"))


@bp.get("/account")
@launch_required
def account() -> ResponseReturnValue:
    _launch_for("account")
    return _or_connect(report_views.account, N_("Account reports"))


@bp.get("/quiz")
@launch_required
def quiz() -> ResponseReturnValue:
    """The quiz Canvas (or the picker's ``?quiz_id=``/``?assignment_id=``) named, else the
    picker; a name that matches no quiz of the course opens the picker with a notice."""
    launch = _launch_for("quiz")
    quiz_id, assignment_id = _picked_id("quiz_id"), _picked_id("assignment_id")
    if "quiz_id" not in request.args and "assignment_id" not in request.args:
        quiz_id, assignment_id = launch.canvas_quiz_id, launch.canvas_assignment_id
    return _or_connect(lambda: _open_quiz(quiz_id, assignment_id), N_("Quiz analysis"))


def _open_quiz(quiz_id: int | None, assignment_id: int | None) -> ResponseReturnValue:
    quizzes = quiz_picker.course_quizzes()
    found = quiz_resolution.resolve(quizzes, quiz_id=quiz_id, assignment_id=assignment_id)
    if found.choice is None:
        return quiz_picker.render_picker(quizzes, notice=found.notice)
    if found.choice.kind == "classic":
        return report_views.quiz(quiz_id=found.choice.id)
    return report_views.new_quiz(assignment_id=found.choice.id)


def _picked_id(name: str) -> int | None:
    """A picked quiz/assignment id from the query (None when absent or empty).

    Raises:
        BadRequest: not ASCII digits with 0 < id < 2**53 (what the page's script carries
            exactly); e.g. ``"²"``, which ``str.isdigit`` accepts and ``int()`` refuses.
    """
    value = request.args.get(name)
    if not value:
        return None
    number = parse_positive_id(value)
    if number is None or number >= 2**53:
        raise BadRequest(_("%(name)s must be a Canvas id.", name=name))
    return number


@bp.app_context_processor
def _header_globals() -> dict[str, Any]:
    """``launch_role()`` and ``reports_home_endpoint()`` for the header in ``base.html``."""

    def launch_role() -> str:
        try:
            return role_label(current_launch())
        except NotAuthorized:
            return ""

    def reports_home_endpoint() -> str:
        try:
            return f"landing.{landing_for(current_launch().placement)}"
        except NotAuthorized:
            return "landing.course"

    return {"launch_role": launch_role, "reports_home_endpoint": reports_home_endpoint}
