"""Launch pages: Canvas chrome around an iframe that starts the tool's OIDC login.

``/courses/<id>/external_tools/<tool>?launch_type=...`` and the account equivalent render
the page Canvas renders: a form targeting the ``tool_content`` iframe auto-POSTs the login
initiation (reference 3.1), a hidden sibling iframe ``post_message_forwarding`` serves
platform storage (absent in ``absent`` mode), and the page itself answers postMessages.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, render_template, request

from emulator.lti.launch import begin_launch
from emulator.lti.options import lti_options
from emulator.lti.tools import Tool, find_tool
from emulator.shell.access import can_manage_course, placement_visible
from emulator.shell.views import (
    account_for,
    account_nav,
    course_for,
    course_nav,
    not_found,
    unauthorized,
)
from emulator.state import current_emulator
from emulator.store import Assignment, Course, Quiz, User

bp = Blueprint("shell_launch", __name__)

COURSE_PLACEMENTS = ("course_navigation", "quiz_menu", "assignment_menu", "assignment_view")
MENU_PLACEMENTS = ("quiz_menu", "assignment_menu")


def _int_arg(name: str) -> int | None:
    values = request.args.getlist(f"{name}[]") or request.args.getlist(name)
    if not values:
        return None
    try:
        return int(values[0])
    except ValueError:
        raise not_found() from None


def _course_item(
    name: str, records: Mapping[int, Quiz | Assignment], course: Course
) -> int | None:
    """The ``<name>[]`` id the launch names; it must be one of the course's (else 404)."""
    item_id = _int_arg(name)
    if item_id is not None and (item_id not in records or records[item_id].course_id != course.id):
        raise not_found()
    return item_id


def _launchable(
    tool_ref: str, placement: str, user: User, course: Course | None, account_id: int
) -> Tool:
    store = current_emulator().store
    tool = find_tool(store, tool_ref, account_id)
    if tool is None or placement not in tool.placements:
        raise not_found()
    if not placement_visible(store, user, tool.placements[placement], course, account_id):
        raise unauthorized()
    if (
        course is not None
        and placement in MENU_PLACEMENTS
        and not can_manage_course(store, user, course)
    ):
        raise unauthorized()
    return tool


def _render(tool: Tool, placement: str, params: dict[str, str], **page: object) -> str:
    return render_template(
        "shell/launch.html",
        tool=tool,
        placement=placement,
        action=tool.oidc_initiation_url,
        params=params,
        storage_mode=lti_options(current_emulator()).storage_mode,
        **page,
    )


@bp.get("/courses/<int:course_id>/external_tools/<tool_ref>")
def course_launch(course_id: int, tool_ref: str) -> str:
    emulator = current_emulator()
    user, course = course_for(course_id)
    placement = request.args.get("launch_type", "course_navigation")
    if placement not in COURSE_PLACEMENTS:
        raise not_found()
    tool = _launchable(tool_ref, placement, user, course, course.account_id)
    store = emulator.store
    quiz_id = _course_item("quizzes", store.quizzes, course) if placement == "quiz_menu" else None
    assignment_id = (
        _course_item("assignments", store.assignments, course)
        if placement.startswith("assignment")
        else None
    )
    params = begin_launch(
        emulator,
        user=user,
        tool=tool,
        placement=placement,
        context_type="Course",
        context_id=course.id,
        quiz_id=quiz_id,
        assignment_id=assignment_id,
    )
    active = f"tool{tool.id}" if placement == "course_navigation" else "quizzes"
    return _render(
        tool, placement, params, user=user, course=course, nav=course_nav(user, course, active)
    )


@bp.get("/accounts/<int:account_id>/external_tools/<tool_ref>")
def account_launch(account_id: int, tool_ref: str) -> str:
    emulator = current_emulator()
    user = account_for(account_id)
    placement = request.args.get("launch_type", "account_navigation")
    if placement != "account_navigation":
        raise not_found()
    tool = _launchable(tool_ref, placement, user, None, account_id)
    params = begin_launch(
        emulator,
        user=user,
        tool=tool,
        placement=placement,
        context_type="Account",
        context_id=account_id,
    )
    return _render(
        tool,
        placement,
        params,
        user=user,
        account=emulator.store.accounts[account_id],
        nav=account_nav(user, account_id, f"tool{tool.id}"),
    )
