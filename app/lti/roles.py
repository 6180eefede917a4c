"""Who may do what, decided from the launch's roles (lti-oauth.md 3.7).

Course rights come from *membership* roles (this context), account rights from the
institution Administrator role or Canvas admin role names in ``$Canvas.membership.roles``.
Institution Instructor alone grants nothing here: a student who teaches elsewhere has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from app.i18n import N_

LIS = "http://purl.imsglobal.org/vocab/lis/v2"

ADMIN = "admin"
INSTRUCTOR = "instructor"
TEACHING_ASSISTANT = "teaching_assistant"
CONTENT_DEVELOPER = "content_developer"
LEARNER = "learner"
MENTOR = "mentor"

# Full LIS v2 URIs, LTI 1.1 URNs and bare short names, all mapped onto one vocabulary.
_ROLE_NAMES: dict[str, str] = {
    f"{LIS}/institution/person#Administrator": ADMIN,
    f"{LIS}/system/person#Administrator": ADMIN,
    f"{LIS}/system/person#SysAdmin": ADMIN,
    f"{LIS}/membership#Administrator": ADMIN,
    "urn:lti:instrole:ims/lis/Administrator": ADMIN,
    "urn:lti:sysrole:ims/lis/SysAdmin": ADMIN,
    "urn:lti:sysrole:ims/lis/Administrator": ADMIN,
    "urn:lti:role:ims/lis/Administrator": ADMIN,
    "Administrator": ADMIN,
    "SysAdmin": ADMIN,
    f"{LIS}/membership#Instructor": INSTRUCTOR,
    "urn:lti:role:ims/lis/Instructor": INSTRUCTOR,
    "Instructor": INSTRUCTOR,
    f"{LIS}/membership/Instructor#TeachingAssistant": TEACHING_ASSISTANT,
    "urn:lti:role:ims/lis/TeachingAssistant": TEACHING_ASSISTANT,
    "urn:lti:role:ims/lis/Instructor/TeachingAssistant": TEACHING_ASSISTANT,
    "TeachingAssistant": TEACHING_ASSISTANT,
    f"{LIS}/membership#ContentDeveloper": CONTENT_DEVELOPER,
    "urn:lti:role:ims/lis/ContentDeveloper": CONTENT_DEVELOPER,
    "ContentDeveloper": CONTENT_DEVELOPER,
    f"{LIS}/membership#Learner": LEARNER,
    "urn:lti:role:ims/lis/Learner": LEARNER,
    "Learner": LEARNER,
    "Student": LEARNER,
    f"{LIS}/membership#Mentor": MENTOR,
    "urn:lti:role:ims/lis/Mentor": MENTOR,
    "Mentor": MENTOR,
}

_STAFF = {INSTRUCTOR, TEACHING_ASSISTANT, CONTENT_DEVELOPER}
_STAFF_ENROLLMENTS = {"TeacherEnrollment", "TaEnrollment", "DesignerEnrollment"}


class HasRoles(Protocol):
    """Anything carrying the two role lists of a launch (the ``Launch`` model does)."""

    roles: list[str]
    canvas_roles: list[str]
    context_type: str


def normalize(roles: Iterable[str]) -> set[str]:
    """The tool's role names for a launch's ``roles`` claim; unknown URIs are ignored."""
    return {_ROLE_NAMES[role.strip()] for role in roles if role.strip() in _ROLE_NAMES}


def parse_canvas_roles(value: str | None) -> list[str]:
    """``$Canvas.membership.roles`` ("TeacherEnrollment,Account Admin") as a list."""
    if not value or value.startswith("$"):
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _is_canvas_admin_role(name: str, context_type: str) -> bool:
    # In an account context the membership roles are account roles only (Account Admin,
    # Sub-Account Admin, custom admin roles with any name). In a course, custom course
    # roles ("Grader") appear by name too, so only names saying "Admin" count there.
    if context_type == "account":
        return not name.endswith("Enrollment")
    return "admin" in name.lower()


def is_admin(launch: HasRoles) -> bool:
    """An account (or sub-account) admin, or a site admin."""
    return ADMIN in normalize(launch.roles) or any(
        _is_canvas_admin_role(name, launch.context_type) for name in launch.canvas_roles
    )


def is_course_staff(launch: HasRoles) -> bool:
    """Teacher, TA or designer in the launch's course."""
    return bool(_STAFF & normalize(launch.roles)) or bool(
        _STAFF_ENROLLMENTS & set(launch.canvas_roles)
    )


def is_student(launch: HasRoles) -> bool:
    """A learner (or observer) with no staff or admin role here."""
    names = normalize(launch.roles)
    learner = bool({LEARNER, MENTOR} & names) or bool(
        {"StudentEnrollment", "ObserverEnrollment"} & set(launch.canvas_roles)
    )
    return learner and not is_course_staff(launch) and not is_admin(launch)


def may_use_placement(launch: HasRoles, context_type: str) -> bool:
    """Account pages are for admins; course and quiz pages for course staff (and admins)."""
    if context_type == "account":
        return is_admin(launch)
    return is_course_staff(launch) or is_admin(launch)


def role_label(launch: HasRoles) -> str:
    """A short English label for who the user is here (templates translate it)."""
    names = normalize(launch.roles)
    enrollments = set(launch.canvas_roles)
    if launch.context_type == "account" and is_admin(launch):
        return N_("Administrator")
    if INSTRUCTOR in names or "TeacherEnrollment" in enrollments:
        return N_("Teacher")
    if TEACHING_ASSISTANT in names or "TaEnrollment" in enrollments:
        return N_("Teaching assistant")
    if CONTENT_DEVELOPER in names or "DesignerEnrollment" in enrollments:
        return N_("Designer")
    if is_admin(launch):
        return N_("Administrator")
    return N_("Member")
