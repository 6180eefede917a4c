"""Blueprint: the landing page of each placement (course, account, quiz)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.errors import BadRequest, NotAuthorized
from app.i18n import N_
from app.inputs import parse_positive_id
from app.lti.claims import landing_for
from app.lti.roles import may_use_placement, role_label
from app.models.launch import Launch
from app.web.auth import current_launch, launch_required

bp = Blueprint("landing", __name__)


def _launch_for(page: str) -> Launch:
    """The request's launch, if it was made for ``page`` and the user may see it."""
    launch = current_launch()
    if landing_for(launch.placement) != page:
        raise NotAuthorized(N_("This page belongs to another placement. Open it from Canvas."))
    if not may_use_placement(launch, launch.context_type):
        raise NotAuthorized(N_("Your role does not give access to this page."))
    return launch


@bp.get("/course")
@launch_required
def course() -> ResponseReturnValue:
    launch = _launch_for("course")
    return render_template("landing/course.html", launch=launch, role_label=role_label(launch))


@bp.get("/account")
@launch_required
def account() -> ResponseReturnValue:
    launch = _launch_for("account")
    return render_template("landing/account.html", launch=launch, role_label=role_label(launch))


@bp.get("/quiz")
@launch_required
def quiz() -> ResponseReturnValue:
    """The quiz page; without a quiz from the launch (or a picked one) it shows the picker."""
    launch = _launch_for("quiz")
    quiz_id = _picked_id("quiz_id") or launch.canvas_quiz_id
    assignment_id = _picked_id("assignment_id")
    if assignment_id is None and request.args.get("quiz_id") is None:
        assignment_id = launch.canvas_assignment_id
    if assignment_id is not None:
        quiz_id = None
    # A picked quiz must belong to the launch's course; the Canvas API paths used later are
    # all under /courses/<launch course>, so Canvas itself enforces that.
    return render_template(
        "landing/quiz.html",
        launch=launch,
        role_label=role_label(launch),
        quiz_id=quiz_id,
        assignment_id=assignment_id,
        picker=quiz_id is None and assignment_id is None,
    )


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
