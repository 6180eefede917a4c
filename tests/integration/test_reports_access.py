"""Who may see and act on which job: course and account boundaries (issue 5, access matrix)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.models.canvas_token import CanvasToken
from app.reports.status import JobStatus
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    STUDENT_ROLES,
    TA_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

JSON = {"Accept": "application/json"}


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def ta_in_101(world: World) -> Actor:
    return world.launch(4, roles=TA_ROLES, canvas_roles=["TaEnrollment"], course_id=101)


def teacher_in_103(world: World) -> Actor:
    return world.launch(6, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=103)


def root_admin(world: World) -> Actor:
    return world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)


def sub_admin(world: World, account_id: int = 2) -> Actor:
    return world.launch(
        2, roles=ADMIN_ROLES, canvas_roles=["Sub-Account Admin"], account_id=account_id
    )


def assert_invisible(actor: Actor, job_id: int) -> None:
    assert actor.api(f"/api/jobs/{job_id}").status_code == 404
    assert actor.api(f"/api/jobs?ids={job_id}").json == {"jobs": []}
    assert actor.get(f"/reports/jobs/{job_id}").status_code == 404
    assert actor.get(f"/reports/jobs/{job_id}/download").status_code == 404
    for action in ("abort", "delete", "retry"):
        assert actor.post(f"/reports/jobs/{job_id}/{action}", headers=JSON).status_code == 404


def test_ta_in_course_a_cannot_see_or_download_course_b_jobs(world: World) -> None:
    terry = teacher_in_103(world)
    assert terry.post("/reports/quiz/204", {"report_type": "item_analysis"}).status_code == 303
    world.run_until_settled()
    [job] = world.jobs()
    assert job.status == JobStatus.COMPLETE
    assert terry.get(f"/reports/jobs/{job.id}/download").status_code == 200
    assert_invisible(ta_in_101(world), job.id)
    assert world.job(job.id).status == JobStatus.COMPLETE  # untouched


def test_staff_of_the_same_course_share_its_jobs(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101)
    tina.post("/reports/quiz/201", {"report_type": "item_analysis"})
    world.run_until_settled()
    [job] = world.jobs()
    tom = ta_in_101(world)
    assert tom.api(f"/api/jobs/{job.id}").json["status"] == "complete"
    assert tom.get(f"/reports/jobs/{job.id}/download").status_code == 200


def test_ta_cannot_name_another_course_quiz(world: World) -> None:
    tom = ta_in_101(world)
    # Quiz 204 belongs to course 103; the course id always comes from the launch.
    assert tom.get("/reports/quiz/204").status_code == 404
    # A start is recorded in course 101 (the launch's); Canvas, asked by the worker, has
    # no quiz 204 there, and the job fails without anything made in Canvas.
    assert tom.post("/reports/quiz/204", {"report_type": "item_analysis"}).status_code == 303
    world.sweep()
    [job] = world.jobs()
    assert (job.canvas_course_id, job.canvas_quiz_id) == (101, 204)
    assert job.status == "failed"
    assert job.error == (
        "Canvas does not have this report here (the quiz or report type may be gone)."
    )
    assert job.canvas_report_id is None


def test_student_gets_no_report_pages_and_no_jobs(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101)
    tina.post("/reports/course/course_pace_docx")
    [job] = world.jobs()
    stu = world.launch(10, roles=STUDENT_ROLES, canvas_roles=["StudentEnrollment"], course_id=101)
    assert stu.get("/reports/course").status_code == 403
    assert stu.post("/reports/quiz/201", {"report_type": "item_analysis"}).status_code == 403
    assert_invisible(stu, job.id)


def test_sub_account_admin_cannot_reach_parent_account_jobs(world: World) -> None:
    ada = root_admin(world)
    ada.post("/reports/account/last_user_access_csv")
    world.run_until_settled()
    [job] = world.jobs()
    sam = sub_admin(world)
    assert sam.get("/reports/account").status_code == 200
    assert_invisible(sam, job.id)
    page = sam.get("/reports/account/last_user_access_csv")
    assert f"/reports/account/last_user_access_csv/{job.canvas_report_id}/file" not in page.text
    # Not even by naming the parent's Canvas report directly: the account is the launch's.
    direct = sam.get(f"/reports/account/last_user_access_csv/{job.canvas_report_id}/file")
    assert direct.status_code == 404


def test_sub_account_admin_is_refused_by_canvas_on_the_parent_account(world: World) -> None:
    # Even a launch claiming the root account gets nowhere: Canvas checks the token's user.
    forged = sub_admin(world, account_id=1)
    answer = forged.post("/reports/account/last_user_access_csv")
    assert answer.status_code in {401, 403}
    assert world.jobs() == []


def test_sub_account_admin_works_in_their_own_account(world: World) -> None:
    sam = sub_admin(world)
    assert sam.post("/reports/account/last_user_access_csv").status_code == 303
    world.run_until_settled()
    [job] = world.jobs()
    assert job.canvas_account_id == 2
    assert job.status == JobStatus.COMPLETE
    assert sam.get(f"/reports/jobs/{job.id}/download").status_code == 200
    assert_invisible(root_admin(world), job.id)  # a root launch is account 1's page


def test_course_launch_cannot_use_account_reports(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101)
    assert tina.get("/reports/account").status_code == 403
    assert tina.post("/reports/account/last_user_access_csv").status_code == 403


def test_requests_without_a_launch_token_are_refused(world: World) -> None:
    client = world.app.test_client()
    assert client.get("/api/jobs?ids=1").status_code == 403
    assert client.get("/reports/course").status_code == 403


def test_without_a_canvas_token_pages_ask_for_authorization_but_progress_still_shows(
    world: World,
) -> None:
    ada = root_admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    viewer = world.launch(
        1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1, authorize=False
    )
    # The user's Canvas token is gone (revoked, or never granted): Canvas pages need one...
    with world.db.session() as session:
        session.query(CanvasToken).delete()
    page = viewer.get("/reports/account")
    assert page.status_code == 401
    assert viewer.post("/reports/account/last_user_access_csv").status_code == 401
    assert len(world.jobs()) == 1
    # ...but live progress reads the database only.
    assert viewer.api(f"/api/jobs/{job.id}").json["status"] == job.status
