"""The quiz picker page: the course's classic quizzes and New Quizzes, searchable.

Shared by the quiz placement (``/quiz`` when Canvas named no quiz, or one the course does
not list) and the quiz report pages (an id that is no quiz of the course): the user always
gets a way forward, never a bare id or a dead-end 404.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.canvas.factory import canvas_client_for_launch
from app.db import request_session
from app.models.launch import Launch
from app.reports import canvas_cache, overview, quiz_resolution
from app.web.auth import current_launch

MAX_QUERY = 200


def course_quizzes(launch: Launch | None = None) -> overview.CourseQuizzes:
    """The launch's course quizzes from the user's cached Canvas lists.

    Raises:
        CanvasAuthorizationRequired: no usable Canvas token (the page offers Authorize).
    """
    launch = launch or current_launch()
    client = canvas_client_for_launch(request_session(), launch)
    return overview.cached_course_quizzes(client, launch, canvas_cache.current_cache())


def render_picker(
    quizzes: overview.CourseQuizzes, *, notice: str | None = None, status: int = 200
) -> ResponseReturnValue:
    """The picker, filtered by ``?q=`` (kept in the search box)."""
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    rows = quiz_resolution.choices(quizzes)
    shown = quiz_resolution.search(rows, query) if query else rows
    page = render_template(
        "landing/quiz_picker.html",
        rows=shown,
        total=len(rows),
        query=query,
        notice=notice,
    )
    return page, status
