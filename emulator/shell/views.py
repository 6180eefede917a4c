"""Clickable Canvas pages: act-as list, dashboard, course, quizzes, assignments, account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from emulator.lti.tools import Tool, installed_tools
from emulator.session import current_user, log_out
from emulator.shell.access import (
    admin_accounts,
    can_manage_course,
    can_view_course,
    is_admin_of,
    placement_visible,
    user_courses,
)
from emulator.state import current_emulator
from emulator.store import Assignment, Course, Quiz, User

bp = Blueprint("shell", __name__)

NavItem = tuple[str, str, bool]  # (label, href, active)
CourseItem = TypeVar("CourseItem", Quiz, Assignment)


class PageRefusedError(Exception):
    """Raised by page helpers; the response (login redirect, 401 or 404 page) is sent as is."""

    def __init__(self, response: BaseResponse) -> None:
        super().__init__("page refused")
        self.response = response


@bp.app_errorhandler(PageRefusedError)
def _refused(exc: PageRefusedError) -> BaseResponse:
    return exc.response


def _page(template: str, status: int) -> Response:
    body = render_template(template, user=current_user(current_emulator()))
    return Response(body, status=status, mimetype="text/html")


def unauthorized() -> PageRefusedError:
    """Canvas's "not authorized" page (401)."""
    return PageRefusedError(_page("shell/unauthorized.html", 401))


def not_found() -> PageRefusedError:
    return PageRefusedError(_page("shell/not_found.html", 404))


def require_user() -> User:
    user = current_user(current_emulator())
    if user is None:
        raise PageRefusedError(redirect(f"/?{urlencode({'return_to': request.full_path})}"))
    return user


def tools_with(placement: str, user: User, course: Course | None, account_id: int) -> list[Tool]:
    store = current_emulator().store
    return [
        tool
        for tool in installed_tools(store, account_id)
        if placement in tool.placements
        and placement_visible(store, user, tool.placements[placement], course, account_id)
        and not (
            placement == "course_navigation" and tool.placements[placement].default == "disabled"
        )
    ]


def course_nav(user: User, course: Course, active: str) -> list[NavItem]:
    base = f"/courses/{course.id}"
    items: list[NavItem] = [
        ("Home", base, active == "home"),
        ("Assignments", f"{base}/assignments", active == "assignments"),
        ("Quizzes", f"{base}/quizzes", active == "quizzes"),
    ]
    for tool in tools_with("course_navigation", user, course, course.account_id):
        href = f"{base}/external_tools/{tool.id}?launch_type=course_navigation"
        items.append((tool.placements["course_navigation"].text, href, active == f"tool{tool.id}"))
    return items


def account_nav(user: User, account_id: int, active: str) -> list[NavItem]:
    store = current_emulator().store
    base = f"/accounts/{account_id}"
    items: list[NavItem] = [("Courses", base, active == "courses")]
    if store.accounts[account_id].parent_account_id is None:
        items.append(("Developer Keys", f"{base}/developer_keys", active == "developer_keys"))
    for tool in tools_with("account_navigation", user, None, account_id):
        href = f"{base}/external_tools/{tool.id}?launch_type=account_navigation"
        items.append((tool.placements["account_navigation"].text, href, active == f"tool{tool.id}"))
    return items


@bp.get("/")
def dashboard() -> str:
    store = current_emulator().store
    user = current_user(current_emulator())
    users = sorted(store.users.values(), key=lambda u: u.id)
    if user is None:
        return_to = request.args.get("return_to", "/")
        return render_template("shell/login.html", users=users, return_to=return_to)
    accounts = [store.accounts[a] for a in admin_accounts(store, user) if a in store.accounts]
    return render_template(
        "shell/dashboard.html",
        user=user,
        courses=user_courses(store, user),
        accounts=accounts,
        users=users[:40],
    )


@bp.get("/logout")
def logout() -> BaseResponse:
    return log_out(redirect("/"))


def course_for(course_id: int) -> tuple[User, Course]:
    emulator = current_emulator()
    user = require_user()
    course = emulator.store.courses.get(course_id)
    if course is None:
        raise not_found()
    if not can_view_course(emulator.store, user, course):
        raise unauthorized()
    return user, course


@bp.get("/courses/<int:course_id>")
def course_home(course_id: int) -> str:
    user, course = course_for(course_id)
    return render_template(
        "shell/course.html", user=user, course=course, nav=course_nav(user, course, "home")
    )


def _menu_tools(placement: str, user: User, course: Course) -> list[Tool]:
    if not can_manage_course(current_emulator().store, user, course):
        return []
    return tools_with(placement, user, course, course.account_id)


def _in_course(records: Iterable[CourseItem], course: Course) -> list[CourseItem]:
    """The course's quizzes or assignments, in id order (the order of the seeded pages)."""
    return sorted((r for r in records if r.course_id == course.id), key=lambda r: r.id)


@bp.get("/courses/<int:course_id>/quizzes")
def course_quizzes(course_id: int) -> str:
    user, course = course_for(course_id)
    store = current_emulator().store
    assignments = _in_course(store.assignments.values(), course)
    return render_template(
        "shell/quizzes.html",
        user=user,
        course=course,
        nav=course_nav(user, course, "quizzes"),
        quizzes=_in_course(store.quizzes.values(), course),
        new_quizzes=[a for a in assignments if a.is_quiz_lti_assignment],
        quiz_tools=_menu_tools("quiz_menu", user, course),
        assignment_tools=_menu_tools("assignment_menu", user, course),
    )


@bp.get("/courses/<int:course_id>/assignments")
def course_assignments(course_id: int) -> str:
    user, course = course_for(course_id)
    assignments = _in_course(current_emulator().store.assignments.values(), course)
    return render_template(
        "shell/assignments.html",
        user=user,
        course=course,
        nav=course_nav(user, course, "assignments"),
        assignments=assignments,
        assignment_tools=_menu_tools("assignment_menu", user, course),
        view_tools=tools_with("assignment_view", user, course, course.account_id),
    )


def account_for(account_id: int) -> User:
    emulator = current_emulator()
    user = require_user()
    if account_id not in emulator.store.accounts:
        raise not_found()
    if not is_admin_of(emulator.store, user, account_id):
        raise unauthorized()
    return user


@bp.get("/accounts/<int:account_id>")
def account_home(account_id: int) -> str:
    user = account_for(account_id)
    store = current_emulator().store
    subaccounts = {a.id for a in store.accounts.values() if account_id in store.account_chain(a.id)}
    courses = sorted(
        (c for c in store.courses.values() if c.account_id in subaccounts), key=lambda c: c.id
    )
    children = sorted(
        (a for a in store.accounts.values() if a.parent_account_id == account_id),
        key=lambda a: a.id,
    )
    return render_template(
        "shell/account.html",
        user=user,
        account=store.accounts[account_id],
        nav=account_nav(user, account_id, "courses"),
        courses=courses,
        children=children,
    )
