"""Who may see what in the shell: course access, management rights, placement visibility."""

from __future__ import annotations

from emulator.lti.roles import active_enrollment_types
from emulator.lti.tools import Placement
from emulator.store import Course, Store, User

STAFF_TYPES = ("TeacherEnrollment", "TaEnrollment", "DesignerEnrollment")


def is_admin_of(store: Store, user: User, account_id: int) -> bool:
    return bool(store.admin_roles(user.id, account_id))


def can_view_course(store: Store, user: User, course: Course) -> bool:
    return bool(active_enrollment_types(store, user.id, course.id)) or is_admin_of(
        store, user, course.account_id
    )


def can_manage_course(store: Store, user: User, course: Course) -> bool:
    """Canvas's "admins" visibility: those who can manage the course."""
    types = active_enrollment_types(store, user.id, course.id)
    return any(t in STAFF_TYPES for t in types) or is_admin_of(store, user, course.account_id)


def placement_visible(
    store: Store, user: User, placement: Placement, course: Course | None, account_id: int
) -> bool:
    """Whether ``user`` sees (and may launch) the placement in this context."""
    if not placement.enabled:
        return False
    if course is None:
        return is_admin_of(store, user, account_id)
    if placement.visibility == "admins":
        return can_manage_course(store, user, course)
    if placement.visibility == "members":
        return can_view_course(store, user, course)
    return placement.visibility == "public" or can_view_course(store, user, course)


def admin_accounts(store: Store, user: User) -> list[int]:
    """Accounts the user administers directly (sub-accounts are reachable from there)."""
    return sorted({au.account_id for au in store.account_users.values() if au.user_id == user.id})


def user_courses(store: Store, user: User) -> list[Course]:
    ids = {
        e.course_id
        for e in store.enrollments.values()
        if e.user_id == user.id and e.workflow_state in ("active", "invited")
    }
    return [store.courses[i] for i in sorted(ids) if i in store.courses]
