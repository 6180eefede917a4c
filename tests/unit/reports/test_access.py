from __future__ import annotations

from typing import Any

import pytest

from app.errors import NotAuthorized
from app.models.job import Job
from app.models.launch import Launch
from app.reports.access import can_see, require_account_admin, require_course_staff
from tests.support import factories

LIS = "http://purl.imsglobal.org/vocab/lis/v2"


def launch(**fields: Any) -> Launch:
    return factories.launch(**fields)


TEACHER = {"roles": [f"{LIS}/membership#Instructor"]}
STUDENT = {"roles": [f"{LIS}/membership#Learner"]}
ADMIN = {
    "roles": [f"{LIS}/institution/person#Administrator"],
    "context_type": "account",
    "canvas_course_id": None,
    "canvas_account_id": 1,
}


def job(**fields: Any) -> Job:
    return factories.job(**{"family": "quiz", "canvas_course_id": 101, **fields})


@pytest.mark.parametrize(
    ("who", "what", "visible"),
    [
        (TEACHER, {}, True),
        (TEACHER, {"canvas_course_id": 102}, False),
        (TEACHER, {"platform_id": 2}, False),  # same ids on another Canvas
        (TEACHER, {"family": "account", "canvas_account_id": 1, "canvas_course_id": None}, False),
        (STUDENT, {}, False),
        (ADMIN, {"family": "account", "canvas_account_id": 1, "canvas_course_id": None}, True),
        (ADMIN, {"family": "account", "canvas_account_id": 2, "canvas_course_id": None}, False),
        (ADMIN, {"platform_id": 2, "family": "account", "canvas_account_id": 1}, False),
        (ADMIN, {}, False),  # course jobs are seen from their course
    ],
)
def test_visibility_matrix(who: dict[str, Any], what: dict[str, Any], visible: bool) -> None:
    assert can_see(launch(**who), job(**what)) is visible


def test_account_reports_need_an_admin_in_account_navigation() -> None:
    assert require_account_admin(launch(**ADMIN)) == 1
    with pytest.raises(NotAuthorized):
        require_account_admin(launch(**TEACHER))
    with pytest.raises(NotAuthorized):
        require_account_admin(launch(**{**ADMIN, "roles": []}))


def test_course_reports_need_course_staff() -> None:
    assert require_course_staff(launch(**TEACHER)) == 101
    with pytest.raises(NotAuthorized):
        require_course_staff(launch(**STUDENT))
    with pytest.raises(NotAuthorized):
        require_course_staff(launch(**{**TEACHER, "canvas_course_id": None}))
