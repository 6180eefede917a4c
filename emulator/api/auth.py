"""Who is calling the API, and what they may do (reports-api.md §0.1-0.2, lti-oauth.md §7.4).

``authenticate_request`` runs before every ``/api/`` view (see ``emulator/api/__init__.py``):
it checks the User-Agent, resolves a bearer token to a user, enforces scoped developer keys,
and leaves the result on ``flask.g``. Views then call ``require_user()`` and the permission
helpers, which raise the exact Canvas error bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, request

from emulator import session as shell_session
from emulator.api.errors import (
    ApiError,
    insufficient_scopes,
    invalid_token,
    unauthenticated,
    unauthorized,
)
from emulator.api.formats import iso
from emulator.state import Emulator, current_emulator
from emulator.store import AccessToken, Attachment, Store, User

API_PATH = re.compile(r"\A/api/")
# Platform endpoints under /api/lti/ (JWKS, authorize redirect) are not REST API calls.
LTI_PLATFORM_PATH = re.compile(r"\A/api/lti/")

ADMIN_ROLES_WITH_READ_REPORTS = frozenset({"Account Admin", "Sub-Account Admin"})
COURSE_ROLES_READ_REPORTS = frozenset({"TeacherEnrollment", "TaEnrollment", "DesignerEnrollment"})
# Quiz read_statistics = course manage_grades or view_all_grades: teachers and TAs.
COURSE_ROLES_READ_STATISTICS = frozenset({"TeacherEnrollment", "TaEnrollment"})


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one API request."""

    user: User
    token: AccessToken | None  # None for a browser session


def is_api_request() -> bool:
    return bool(API_PATH.match(request.path)) and not LTI_PLATFORM_PATH.match(request.path)


def bearer_token() -> str | None:
    """The token from ``Authorization: Bearer`` or the ``access_token`` parameter."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    token = request.args.get("access_token") or request.form.get("access_token")
    return token or None


def require_user_agent() -> None:
    """Hosted Canvas refuses API requests without a User-Agent (lti-oauth.md §7.6)."""
    if not request.headers.get("User-Agent"):
        raise ApiError(403, {"errors": [{"message": "A User-Agent header is required."}]})


def authenticate_request() -> None:
    """Resolve the request's credentials (no credentials is fine here; views decide)."""
    emulator = current_emulator()
    g.caller = None
    raw = bearer_token()
    if raw is None:
        user = session_user(emulator)
        if user is not None:
            g.caller = Caller(user, None)
        return
    token = resolve_token(emulator, raw)
    check_scopes(emulator.store, token, request.method, request.path)
    g.caller = Caller(emulator.store.users[token.user_id], token)


def resolve_token(emulator: Emulator, raw: str) -> AccessToken:
    """The live token for ``raw`` or the 401 Canvas sends (invalid/expired/revoked)."""
    store = emulator.store
    with store.lock:
        token = store.access_tokens.get(raw)
        if token is None or token.user_id not in store.users:
            raise invalid_token()
        key = store.developer_keys.get(token.developer_key_id)
        if key is None or key.workflow_state == "off":
            raise invalid_token()
        if token.revoked:
            raise invalid_token("Revoked access token.")
        if token.expires_at is not None and token.expires_at <= store.now():
            raise invalid_token("Expired access token.",
                                {"expired_at": iso(token.expires_at)})
        return token


def scope_pattern(scope: str) -> tuple[str, re.Pattern[str]] | None:
    """``url:GET|/api/v1/accounts/:account_id/reports`` → ("GET", compiled path regex)."""
    if not scope.startswith("url:") or "|" not in scope:
        return None
    verb, path = scope[4:].split("|", 1)
    parts = []
    for segment in path.split("/"):
        parts.append("[^/]+" if segment.startswith(":") else re.escape(segment))
    return verb.upper(), re.compile(r"\A" + "/".join(parts) + r"(?:\.json)?\Z")


def check_scopes(store: Store, token: AccessToken, method: str, path: str) -> None:
    """Scoped developer keys only allow the endpoints named in the token's scopes."""
    key = store.developer_keys.get(token.developer_key_id)
    if key is None or not key.require_scopes:
        return
    verb = "GET" if method == "HEAD" else method.upper()
    for scope in token.scopes:
        parsed = scope_pattern(scope)
        if parsed and parsed[0] == verb and parsed[1].match(path):
            return
    raise insufficient_scopes()


def session_user(emulator: Emulator) -> User | None:
    """The user of the shell's browser session (``canvas_session`` cookie), if any."""
    return shell_session.current_user(emulator)


def current_caller() -> Caller | None:
    caller: Caller | None = g.get("caller")
    return caller


def require_user() -> User:
    """The caller's user, or the 401 "unauthenticated" body."""
    caller = current_caller()
    if caller is None:
        raise unauthenticated()
    return caller.user


def deny() -> ApiError:
    """The "unauthorized" error, 401 or 403 depending on ``settings.auth_error_403``."""
    return unauthorized(403 if current_emulator().settings.auth_error_403 else 401)


def authorize(allowed: bool) -> None:
    """``authorized_action``: raise the unauthorized body unless ``allowed``."""
    if not allowed:
        raise deny()


# ---------------------------------------------------------------- permissions


def can_read_reports_on_account(store: Store, user: User, account_id: int) -> bool:
    """``read_reports`` on an account: an admin of it or of one of its ancestors whose role
    has the permission (built-in admin roles, or a custom role with ``read_reports`` on)."""
    if user.site_admin:
        return True
    return any(role in ADMIN_ROLES_WITH_READ_REPORTS
               or "read_reports" in store.custom_account_roles.get(role, frozenset())
               for role in store.admin_roles(user.id, account_id))


def administers(store: Store, user: User, account_id: int) -> bool:
    """Any admin membership on the account or above (enough to read the account)."""
    return user.site_admin or bool(store.admin_roles(user.id, account_id))


def _active_course_roles(store: Store, user: User, course_id: int) -> set[str]:
    return {e.type for e in store.enrollments_of(user.id, course_id)
            if e.workflow_state == "active"}


def _course_admin(store: Store, user: User, course_id: int) -> bool:
    course = store.courses.get(course_id)
    return course is not None and can_read_reports_on_account(store, user, course.account_id)


def can_read_reports_on_course(store: Store, user: User, course_id: int) -> bool:
    """``read_reports`` on a course: teacher, TA, designer, or an admin above it."""
    return bool(_active_course_roles(store, user, course_id) & COURSE_ROLES_READ_REPORTS) \
        or _course_admin(store, user, course_id)


def can_read_statistics(store: Store, user: User, course_id: int) -> bool:
    """Quiz ``read_statistics``: teachers and TAs (not designers, not students), or admins."""
    return bool(_active_course_roles(store, user, course_id) & COURSE_ROLES_READ_STATISTICS) \
        or _course_admin(store, user, course_id)


def can_read_course(store: Store, user: User, course_id: int) -> bool:
    """Reading a course: any active enrolment, or an admin above it."""
    return bool(_active_course_roles(store, user, course_id)) or _course_admin(
        store, user, course_id)


def can_read_attachment(store: Store, user: User, attachment: Attachment) -> bool:
    """Read rights on a report file follow its context (who could read the report)."""
    if attachment.user_id == user.id or user.site_admin:
        return True
    if attachment.context_type == "Course":
        return can_read_course(store, user, attachment.context_id)
    return can_read_report_context(store, user, attachment.context_type, attachment.context_id)


def can_read_report_context(store: Store, user: User, kind: str, context_id: int) -> bool:
    """``:read`` on the record a report's file or Progress hangs on (not a plain course,
    where files and progresses differ): an account, a course report, quiz statistics or a
    New Quiz's assignment."""
    if kind == "Account":
        return can_read_reports_on_account(store, user, context_id)
    if kind == "CourseReport":
        report = store.course_reports.get(context_id)
        return report is not None and report.user_id == user.id
    if kind == "Quizzes::QuizStatistics":
        stats = store.quiz_statistics.get(context_id)
        quiz = store.quizzes.get(stats.quiz_id) if stats else None
        return quiz is not None and can_read_statistics(store, user, quiz.course_id)
    if kind == "Assignment":
        assignment = store.assignments.get(context_id)
        return assignment is not None and can_read_statistics(store, user, assignment.course_id)
    return False


def can_see_unpublished(store: Store, user: User, course_id: int) -> bool:
    """Who sees a course's unpublished quizzes and assignments (Canvas: ``:read_as_admin`` /
    ``manage_assignments`` on the course): teachers, TAs, designers, admins above it.
    Students (and observers) see only published ones (``Quizzes::Quiz#available``,
    ``Assignments::ScopedToUser``)."""
    return bool(_active_course_roles(store, user, course_id) & COURSE_ROLES_READ_REPORTS) \
        or _course_admin(store, user, course_id) or user.site_admin
