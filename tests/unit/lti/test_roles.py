"""The roles matrix: who may open which placement."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.lti import roles
from app.lti.roles import LIS


@dataclass
class R:
    roles: list[str] = field(default_factory=list)
    canvas_roles: list[str] = field(default_factory=list)
    context_type: str = "course"


TEACHER = [f"{LIS}/membership#Instructor", f"{LIS}/institution/person#Instructor"]
TA = [f"{LIS}/membership/Instructor#TeachingAssistant"]
DESIGNER = [f"{LIS}/membership#ContentDeveloper"]
STUDENT = [f"{LIS}/membership#Learner", f"{LIS}/institution/person#Student"]
OBSERVER = [f"{LIS}/membership#Mentor"]
INST_ADMIN = [f"{LIS}/institution/person#Administrator"]
SYSADMIN = [f"{LIS}/system/person#SysAdmin"]
USER = [f"{LIS}/system/person#User"]

MATRIX = [
    # (who, launch, course/quiz pages, account pages, student?)
    ("teacher", R(TEACHER, ["TeacherEnrollment"]), True, False, False),
    ("ta", R(TA, ["TaEnrollment"]), True, False, False),
    ("designer", R(DESIGNER, ["DesignerEnrollment"]), True, False, False),
    ("student", R(STUDENT, ["StudentEnrollment"]), False, False, True),
    ("observer", R(OBSERVER, ["ObserverEnrollment"]), False, False, True),
    (
        "student who teaches elsewhere",
        R([*STUDENT, f"{LIS}/institution/person#Instructor"]),
        False,
        False,
        True,
    ),
    ("short lti 1.1 instructor", R(["Instructor"]), True, False, False),
    ("lti 1.1 urn ta", R(["urn:lti:role:ims/lis/TeachingAssistant"]), True, False, False),
    ("short learner", R(["Learner"]), False, False, True),
    ("institution admin", R(INST_ADMIN, [], "account"), True, True, False),
    (
        "lti 1.1 urn admin",
        R(["urn:lti:instrole:ims/lis/Administrator"], [], "account"),
        True,
        True,
        False,
    ),
    ("sysadmin", R(SYSADMIN, [], "account"), True, True, False),
    ("root admin via canvas roles", R(USER, ["Account Admin"], "account"), True, True, False),
    ("sub-account admin", R(USER, ["Sub-Account Admin"], "account"), True, True, False),
    ("custom admin role", R(USER, ["Reports Viewer"], "account"), True, True, False),
    ("custom course role is not admin", R(USER, ["Grader"], "course"), False, False, False),
    ("only a user", R(USER), False, False, False),
    (
        "enrollment in account context",
        R(USER, ["TeacherEnrollment"], "account"),
        True,
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("who", "launch", "course", "account", "student"), MATRIX, ids=[m[0] for m in MATRIX]
)
def test_roles_matrix(who: str, launch: R, course: bool, account: bool, student: bool) -> None:
    assert roles.may_use_placement(launch, "course") is course
    assert roles.may_use_placement(launch, "account") is account
    assert roles.is_student(launch) is student


def test_unexpanded_membership_roles_count_as_absent() -> None:
    assert roles.parse_canvas_roles("$Canvas.membership.roles") == []
    assert roles.parse_canvas_roles("TeacherEnrollment, Account Admin") == [
        "TeacherEnrollment",
        "Account Admin",
    ]


@pytest.mark.parametrize(
    ("launch", "label"),
    [
        (R(TEACHER), "Teacher"),
        (R(TA), "Teaching assistant"),
        (R(DESIGNER), "Designer"),
        (R(INST_ADMIN, [], "account"), "Administrator"),
        (R(INST_ADMIN), "Administrator"),
    ],
)
def test_role_label(launch: R, label: str) -> None:
    assert roles.role_label(launch) == label
