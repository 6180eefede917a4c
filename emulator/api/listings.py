"""Users, accounts, terms, courses and assignments: what the tool's pickers list.

Shapes are the Canvas API objects' common keys (docs ``users``, ``accounts``,
``enrollment_terms``, ``courses``, ``assignments``); lists are paginated with ``Link``.
Permissions: an account's lists need an admin of it (or above); a course needs an active
enrolment or an admin above it; ``/users/:id`` is the user themself or an admin above one of
their courses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.api.account_reports import find_account
from emulator.api.auth import (
    administers,
    authorize,
    can_read_course,
    can_see_unpublished,
    require_user,
)
from emulator.api.course_reports import find_course
from emulator.api.errors import not_found
from emulator.api.formats import iso
from emulator.api.pagination import paginate, paginate_envelope
from emulator.state import Emulator, current_emulator
from emulator.store import Account, Assignment, Course, Store, Term, User

bp = Blueprint("emulator_listings", __name__)
View = Callable[..., Response]


def locked(view: View) -> View:
    """Run the view holding the store lock: a concurrent reset must not change what it lists."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        with current_emulator().store.lock:
            return view(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- JSON shapes


def user_json(user: User, *, full: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id, "name": user.name, "created_at": None,
        "sortable_name": user.sortable_name, "short_name": user.short_name,
        "sis_user_id": user.sis_user_id, "integration_id": None, "login_id": user.login_id,
        "avatar_url": None, "locale": user.locale, "effective_locale": user.locale,
    }
    if full:
        body["email"] = user.email
        body["last_login"] = iso(user.last_request_at)
    return body


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id, "name": account.name, "uuid": f"acct{account.id:036d}",
        "parent_account_id": account.parent_account_id,
        "root_account_id": account.root_account_id, "workflow_state": account.workflow_state,
        "default_time_zone": "Etc/UTC", "sis_account_id": account.sis_account_id,
        "integration_id": None, "sis_import_id": None,
    }


def term_json(term: Term) -> dict[str, Any]:
    return {
        "id": term.id, "name": term.name, "start_at": iso(term.start_at),
        "end_at": iso(term.end_at), "created_at": None, "workflow_state": term.workflow_state,
        "grading_period_group_id": None, "sis_term_id": term.sis_term_id, "sis_import_id": None,
    }


def course_json(store: Store, course: Course, user: User | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": course.id, "name": course.name, "course_code": course.course_code,
        "account_id": course.account_id,
        "root_account_id": store.account_chain(course.account_id)[-1],
        "enrollment_term_id": course.enrollment_term_id, "uuid": course.lti_context_id[:40],
        "workflow_state": course.workflow_state, "sis_course_id": course.sis_course_id,
        "created_at": iso(course.created_at), "start_at": None, "end_at": None,
        "is_public": False, "default_view": "modules", "time_zone": "Etc/UTC",
        "course_format": None, "integration_id": None,
    }
    if user is not None:
        body["enrollments"] = [
            {"type": e.type.removesuffix("Enrollment").lower(), "role": e.type,
             "role_id": None, "user_id": e.user_id, "enrollment_state": e.workflow_state}
            for e in store.enrollments_of(user.id, course.id)
        ]
    return body


def assignment_json(emulator: Emulator, assignment: Assignment) -> dict[str, Any]:
    base = emulator.base_url
    new_quiz = assignment.is_quiz_lti_assignment
    return {
        "id": assignment.id, "name": assignment.name, "course_id": assignment.course_id,
        "points_possible": assignment.points_possible, "created_at": iso(assignment.created_at),
        "due_at": iso(assignment.due_at), "published": assignment.published,
        "workflow_state": "published" if assignment.published else "unpublished",
        "submission_types": (["external_tool"] if new_quiz else
                             ["online_quiz"] if assignment.quiz_id else ["none"]),
        "is_quiz_assignment": assignment.quiz_id is not None and not new_quiz,
        "is_quiz_lti_assignment": new_quiz, "quiz_id": assignment.quiz_id,
        "html_url": f"{base}/courses/{assignment.course_id}/assignments/{assignment.id}",
    }


# ---------------------------------------------------------------- users


def _can_read_user(store: Store, viewer: User, user: User) -> bool:
    if viewer.id == user.id or viewer.site_admin:
        return True
    courses = {e.course_id for e in store.enrollments.values() if e.user_id == user.id}
    return any(administers(store, viewer, store.courses[c].account_id)
               for c in courses if c in store.courses)


@bp.get("/api/v1/users/<user_ref>")
@locked
def show_user(user_ref: str) -> Response:
    emulator = current_emulator()
    viewer = require_user()
    store = emulator.store
    if user_ref == "self":
        return jsonify(user_json(viewer))
    user = store.users.get(int(user_ref)) if user_ref.isdigit() else None
    if user is None:
        raise not_found()
    authorize(_can_read_user(store, viewer, user))
    return jsonify(user_json(user, full=viewer.id == user.id))


# ---------------------------------------------------------------- accounts and terms


def _admin_account(account_ref: str) -> tuple[Emulator, Account, User]:
    emulator = current_emulator()
    user = require_user()
    account = find_account(emulator.store, account_ref)
    authorize(administers(emulator.store, user, account.id))
    return emulator, account, user


@bp.get("/api/v1/accounts")
@locked
def list_accounts() -> Response:
    """Accounts the caller has an admin membership on (not their sub-accounts)."""
    emulator = current_emulator()
    user = require_user()
    store = emulator.store
    ids = sorted({au.account_id for au in store.account_users.values() if au.user_id == user.id})
    return paginate([store.accounts[i] for i in ids if i in store.accounts], account_json)


@bp.get("/api/v1/accounts/<account_ref>")
@locked
def show_account(account_ref: str) -> Response:
    _emulator, account, _user = _admin_account(account_ref)
    return jsonify(account_json(account))


@bp.get("/api/v1/accounts/<account_ref>/sub_accounts")
@locked
def sub_accounts(account_ref: str) -> Response:
    emulator, account, _user = _admin_account(account_ref)
    store = emulator.store
    recursive = request.args.get("recursive", "").lower() in ("1", "true")
    found: list[Account] = []
    frontier = [account.id]
    while frontier:
        children = sorted((a for a in store.accounts.values()
                           if a.parent_account_id in frontier
                           and a.workflow_state != "deleted"), key=lambda a: a.id)
        found += children
        frontier = [c.id for c in children] if recursive else []
    return paginate(found, account_json)


@bp.get("/api/v1/accounts/<account_ref>/terms")
@locked
def terms(account_ref: str) -> Response:
    emulator, account, _user = _admin_account(account_ref)
    store = emulator.store
    root = store.account_chain(account.id)[-1]
    state = request.args.get("workflow_state[]") or request.args.get("workflow_state")
    found = sorted((t for t in store.terms.values() if t.root_account_id == root
                    and (state in (None, "all") or t.workflow_state == state)),
                   key=lambda t: t.id)
    return paginate_envelope("enrollment_terms", found, term_json)


# ---------------------------------------------------------------- courses and assignments


@bp.get("/api/v1/accounts/<account_ref>/courses")
@locked
def account_courses(account_ref: str) -> Response:
    emulator, account, _user = _admin_account(account_ref)
    store = emulator.store
    accounts = {a.id for a in store.accounts.values()
                if account.id in store.account_chain(a.id)}
    term = request.args.get("enrollment_term_id")
    search = (request.args.get("search_term") or "").lower()
    states = request.args.getlist("state[]") or None
    found = sorted(
        (c for c in store.courses.values()
         if c.account_id in accounts and c.workflow_state != "deleted"
         and (term is None or str(c.enrollment_term_id) == term)
         and (not search or search in c.name.lower() or search in c.course_code.lower())
         and (states is None or c.workflow_state in states)),
        key=lambda c: c.id,
    )
    return paginate(found, lambda c: course_json(store, c))


@bp.get("/api/v1/courses")
@locked
def my_courses() -> Response:
    """The caller's courses: those with an active (or given ``enrollment_state``) enrolment."""
    emulator = current_emulator()
    user = require_user()
    store = emulator.store
    wanted_state = request.args.get("enrollment_state", "active")
    wanted_type = request.args.get("enrollment_type")
    ids = sorted({e.course_id for e in store.enrollments.values()
                  if e.user_id == user.id and e.workflow_state == wanted_state
                  and (wanted_type is None
                       or e.type.lower() == f"{wanted_type.lower()}enrollment")})
    courses = [store.courses[i] for i in ids
               if i in store.courses and store.courses[i].workflow_state != "deleted"]
    return paginate(courses, lambda c: course_json(store, c, user))


@bp.get("/api/v1/courses/<course_ref>")
@locked
def show_course(course_ref: str) -> Response:
    emulator = current_emulator()
    user = require_user()
    course = find_course(emulator.store, course_ref)
    authorize(can_read_course(emulator.store, user, course.id))
    return jsonify(course_json(emulator.store, course, user))


@bp.get("/api/v1/courses/<course_ref>/assignments")
@locked
def assignments(course_ref: str) -> Response:
    emulator = current_emulator()
    user = require_user()
    store = emulator.store
    course = find_course(store, course_ref)
    authorize(can_read_course(store, user, course.id))
    staff = can_see_unpublished(store, user, course.id)  # students: published only
    found = sorted((a for a in store.assignments.values()
                    if a.course_id == course.id and (staff or a.published)),
                   key=lambda a: a.id)
    return paginate(found, lambda a: assignment_json(emulator, a))
