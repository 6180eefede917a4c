"""IMS LIS v2 role URIs for a user in a context (reference 3.7, ``substitutions_helper.rb``)."""

from __future__ import annotations

from emulator.store import Store, User

LIS = "http://purl.imsglobal.org/vocab/lis/v2"
SYSTEM_USER = f"{LIS}/system/person#User"
SYSTEM_SYSADMIN = f"{LIS}/system/person#SysAdmin"
INSTITUTION_ADMIN = f"{LIS}/institution/person#Administrator"
INSTITUTION_INSTRUCTOR = f"{LIS}/institution/person#Instructor"
INSTITUTION_STUDENT = f"{LIS}/institution/person#Student"

# canvas-lms ``lib/lti/substitutions_helper.rb`` ``LIS_V2_LTI_ADVANTAGE_ROLE_MAP``: a TA gets
# both ``membership/Instructor#TeachingAssistant`` and ``membership#Instructor``, in that order.
MEMBERSHIP_ROLES: dict[str, tuple[str, ...]] = {
    "TeacherEnrollment": (f"{LIS}/membership#Instructor",),
    "TaEnrollment": (
        f"{LIS}/membership/Instructor#TeachingAssistant",
        f"{LIS}/membership#Instructor",
    ),
    "DesignerEnrollment": (f"{LIS}/membership#ContentDeveloper",),
    "StudentEnrollment": (f"{LIS}/membership#Learner",),
    "ObserverEnrollment": (f"{LIS}/membership#Mentor",),
}
INSTITUTION_ROLES = {
    "TeacherEnrollment": INSTITUTION_INSTRUCTOR,
    "StudentEnrollment": INSTITUTION_STUDENT,
}
ACTIVE_ENROLLMENT_STATES = ("active", "invited")


def active_enrollment_types(store: Store, user_id: int, course_id: int) -> list[str]:
    return [
        e.type
        for e in store.enrollments_of(user_id, course_id)
        if e.workflow_state in ACTIVE_ENROLLMENT_STATES
    ]


def is_any_admin(store: Store, user_id: int) -> bool:
    return any(au.user_id == user_id for au in store.account_users.values())


def lti_roles(store: Store, user: User, course_id: int | None) -> list[str]:
    """Institution roles (the user anywhere), membership roles (this course), system roles."""
    roles: list[str] = []
    all_types = {
        e.type
        for e in store.enrollments.values()
        if e.user_id == user.id and e.workflow_state in ACTIVE_ENROLLMENT_STATES
    }
    if is_any_admin(store, user.id):
        roles.append(INSTITUTION_ADMIN)
    for enrollment_type, uri in INSTITUTION_ROLES.items():
        if enrollment_type in all_types and uri not in roles:
            roles.append(uri)
    if course_id is not None:
        for enrollment_type in active_enrollment_types(store, user.id, course_id):
            for membership in MEMBERSHIP_ROLES.get(enrollment_type, ()):
                if membership not in roles:
                    roles.append(membership)
    roles.append(SYSTEM_USER)
    if user.site_admin:
        roles.append(SYSTEM_SYSADMIN)
    return roles


def canvas_membership_roles(
    store: Store, user: User, course_id: int | None, account_id: int
) -> str:
    """``$Canvas.membership.roles``: enrollment types in the course plus admin role names."""
    names: list[str | None] = []
    if course_id is not None:
        names += active_enrollment_types(store, user.id, course_id)
    names += store.admin_roles(user.id, account_id)
    return ",".join(n for n in dict.fromkeys(names) if n)
