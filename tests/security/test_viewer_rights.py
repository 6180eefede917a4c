"""Canvas is the judge, per viewer and per read (docs/security.md, "Who sees what").

Real reports are started through the tool by their owners against a live emulator, then every
viewer asks for every job through every read: the one expected status per case comes from
Canvas's rules as the emulator copies them (emulator/api/auth.py): quiz reports and New
Quizzes Progresses need ``read_statistics`` (teachers, TAs, admins; not designers), a course
report is shown to its creator only, account reports need ``read_reports`` on the account
(built-in admins, custom roles that have it). File URLs really serve content, so a missing
check shows up as a 200 with the report's bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.models.job import AuditEvent, Job
from app.reports import rights
from app.reports.status import JobStatus
from emulator.settings import EmulatorSettings
from emulator.store import AccountUser, User
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    LIS,
    TEACHER_ROLES,
    Actor,
    World,
    build_world,
)
from tests.security.conftest import make_tool

TA_ROLES = [f"{LIS}/membership#Instructor", f"{LIS}/membership/Instructor#TeachingAssistant"]
DESIGNER_ROLES = [f"{LIS}/membership#ContentDeveloper"]
REPORT_VIEWER, HELP_DESK = 9001, 9002  # custom account roles, with and without read_reports


@dataclass
class Setup:
    world: World
    actors: dict[str, Actor]
    jobs: dict[str, int]


def _add_custom_admins(live: LiveEmulator) -> None:
    store = live.emulator.store
    with store.lock:
        store.custom_account_roles["Report Viewer"] = frozenset({"read_reports"})
        store.custom_account_roles["Help Desk"] = frozenset({"view_notifications"})
        for uid, name, role in (
            (REPORT_VIEWER, "Rae Reports", "Report Viewer"),
            (HELP_DESK, "Hal Helpdesk", "Help Desk"),
        ):
            store.users[uid] = User(
                id=uid,
                name=name,
                sortable_name=name,
                short_name=name,
                login_id=f"user{uid}",
                email=f"user{uid}@example.edu",
                sis_user_id=f"STAFF{uid}",
                lti_sub=f"sub-{uid}",
            )
            au_id = store.next_id("account_user")
            store.account_users[au_id] = AccountUser(au_id, 2, uid, role)


def _launch_all(world: World) -> dict[str, Actor]:
    return {
        "teacher": world.launch(3, roles=TEACHER_ROLES, course_id=101),
        "ta": world.launch(4, roles=TA_ROLES, canvas_roles=["TaEnrollment"], course_id=101),
        "designer": world.launch(
            5, roles=DESIGNER_ROLES, canvas_roles=["DesignerEnrollment"], course_id=101
        ),
        "root@1": world.launch(1, roles=ADMIN_ROLES, account_id=1),
        "root@2": world.launch(1, roles=ADMIN_ROLES, account_id=2),
        "subadmin@2": world.launch(2, roles=ADMIN_ROLES, account_id=2),
        "custom viewer@2": world.launch(REPORT_VIEWER, roles=ADMIN_ROLES, account_id=2),
        "help desk@2": world.launch(HELP_DESK, roles=ADMIN_ROLES, account_id=2),
    }


def _start(world: World, actors: dict[str, Actor]) -> dict[str, int]:
    starts = [
        ("quiz", "teacher", "/reports/quiz/201", {"report_type": "student_analysis"}),
        ("pace", "teacher", "/reports/course/course_pace_docx", {}),
        (
            "new quiz",
            "teacher",
            "/reports/new_quiz/301",
            {"report_type": "student_analysis", "format": "csv"},
        ),
        ("account 2", "subadmin@2", "/reports/account/last_user_access_csv", {}),
        ("account 1", "root@1", "/reports/account/last_user_access_csv", {}),
    ]
    jobs: dict[str, int] = {}
    for name, who, path, form in starts:
        before = {job.id for job in world.jobs()}
        response = actors[who].post(path, form)
        assert response.status_code == 303, (name, response.status_code, response.text)
        [new] = [job.id for job in world.jobs() if job.id not in before]
        jobs[name] = new
    world.run_until_settled(step=2.0)
    for name, job_id in jobs.items():
        job = world.job(job_id)
        assert job.status == JobStatus.COMPLETE, (name, job.status, job.error)
        assert job.file_url, name
    return jobs


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tool: Flask = make_tool(Path(tmp_path_factory.mktemp("rights")), rate_limits_enabled=False)
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        _add_custom_admins(live)
        world = build_world(tool, live)
        actors = _launch_all(world)
        jobs = _start(world, actors)
        yield Setup(world, actors, jobs)
        live.emulator.store.clock.unfreeze()
    tool.extensions["db"].engine.dispose()


ALLOW, DENY, ELSEWHERE = "allow", "deny", "elsewhere"

# (viewer, job) → what Canvas lets that viewer see; ELSEWHERE: not the launch's context.
POLICY: dict[tuple[str, str], str] = {
    **{(viewer, job): ELSEWHERE for viewer in (
        "teacher", "ta", "designer", "root@1", "root@2", "subadmin@2", "custom viewer@2",
        "help desk@2") for job in ("quiz", "pace", "new quiz", "account 1", "account 2")},
    ("teacher", "quiz"): ALLOW,
    ("teacher", "pace"): ALLOW,
    ("teacher", "new quiz"): ALLOW,
    ("ta", "quiz"): ALLOW,  # read_statistics
    ("ta", "pace"): DENY,  # course reports: their creator only
    ("ta", "new quiz"): ALLOW,
    ("designer", "quiz"): DENY,  # designers have no read_statistics
    ("designer", "pace"): DENY,
    ("designer", "new quiz"): DENY,
    ("root@1", "account 1"): ALLOW,
    ("root@2", "account 2"): ALLOW,  # read_reports inherited from the root account
    ("subadmin@2", "account 2"): ALLOW,
    ("custom viewer@2", "account 2"): ALLOW,  # a custom role with read_reports
    ("help desk@2", "account 2"): DENY,  # a custom role without it
}

# endpoint → expected status for (allow, deny, elsewhere)
READS: dict[str, tuple[int, int, int]] = {
    "/reports/jobs/{id}/download": (200, 403, 404),
    "/reports/jobs/{id}": (200, 403, 404),
    "/api/jobs/{id}": (200, 404, 404),  # lists and their JSON hide what Canvas refuses
}
QUIZ_READS: dict[str, tuple[int, int, int]] = {
    "/insights/jobs/{id}": (200, 403, 404),
    "/insights/jobs/{id}/items.csv": (200, 403, 404),
}


def _file(setup: Setup, job_id: int) -> bytes:
    job = setup.world.job(job_id)
    assert job.file_id is not None
    return setup.world.live.emulator.store.attachments[job.file_id].data


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for (viewer, job), _rule in sorted(POLICY.items()):
        reads = {**READS, **(QUIZ_READS if job in ("quiz", "new quiz") else {})}
        cases += [(viewer, job, path) for path in reads]
    return cases


@pytest.mark.parametrize(("viewer", "job", "path"), _cases())
def test_each_viewer_gets_exactly_what_canvas_allows(
    setup: Setup, viewer: str, job: str, path: str
) -> None:
    rule = POLICY[(viewer, job)]
    expected = {**READS, **QUIZ_READS}[path][(ALLOW, DENY, ELSEWHERE).index(rule)]
    job_id = setup.jobs[job]
    title = setup.world.job(job_id).title
    response = setup.actors[viewer].get(path.format(id=job_id))
    assert response.status_code == expected, (viewer, job, path, response.text[:300])
    if rule != ALLOW:
        assert title not in response.text
        return
    if path.endswith("/download"):
        assert response.data == _file(setup, job_id)
    elif path.startswith("/reports/jobs/") or path.startswith("/api/"):
        assert title in response.text


def test_a_denial_says_canvas_refused_and_is_audited(setup: Setup) -> None:
    response = setup.actors["designer"].get(f"/reports/jobs/{setup.jobs['quiz']}/download")
    assert response.status_code == 403
    assert "Canvas does not allow you to see this report" in response.text
    with setup.world.db.session() as session:
        denied = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "denied",
                AuditEvent.canvas_user_id == 5,
                AuditEvent.job_id == setup.jobs["quiz"],
            )
        ).all()
    assert denied, "the refusal was not recorded"


@pytest.mark.parametrize(
    ("viewer", "job", "action"),
    [
        ("designer", "quiz", "delete"),
        ("designer", "new quiz", "delete"),
        ("ta", "pace", "delete"),
        ("designer", "pace", "retry"),
        ("help desk@2", "account 2", "delete"),
    ],
)
def test_actions_need_canvas_permission(setup: Setup, viewer: str, job: str, action: str) -> None:
    before = setup.world.job(setup.jobs[job])
    response = setup.actors[viewer].post(
        f"/reports/jobs/{setup.jobs[job]}/{action}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403, response.text
    after = setup.world.job(setup.jobs[job])
    assert (after.status, after.updated_at) == (before.status, before.updated_at)


def test_lists_show_other_users_jobs_only_where_canvas_allows(setup: Setup) -> None:
    ids = ",".join(str(job_id) for job_id in setup.jobs.values())
    seen = {
        viewer: {row["id"] for row in actor.get(f"/api/jobs?ids={ids}").get_json()["jobs"]}
        for viewer, actor in setup.actors.items()
    }
    by_name = setup.jobs
    assert seen["teacher"] == {by_name["quiz"], by_name["pace"], by_name["new quiz"]}
    assert seen["ta"] == {by_name["quiz"], by_name["new quiz"]}
    assert seen["designer"] == set()
    assert seen["custom viewer@2"] == {by_name["account 2"]}
    assert seen["help desk@2"] == set()
    course_page = setup.actors["ta"].get("/reports/quiz/201")
    assert course_page.status_code == 200
    assert setup.world.job(by_name["quiz"]).title in course_page.text


def test_a_positive_answer_is_remembered_at_most_a_minute(setup: Setup) -> None:
    world, ta = setup.world, setup.actors["ta"]
    page = f"/reports/jobs/{setup.jobs['quiz']}"
    world.advance(61)
    calls = world.canvas.count
    assert ta.get(page).status_code == 200
    assert world.canvas.count == calls + 1  # asked Canvas
    assert ta.get(page).status_code == 200
    assert world.canvas.count == calls + 1  # remembered
    world.advance(61)
    assert ta.get(page).status_code == 200
    assert world.canvas.count == calls + 2  # asked again


def test_a_refusal_drops_what_was_remembered(setup: Setup) -> None:
    """The TA loses the enrolment: the next read that asks Canvas denies, and so does the
    page that had a remembered "yes"."""
    world, ta = setup.world, setup.actors["ta"]
    page = f"/reports/jobs/{setup.jobs['new quiz']}"
    assert ta.get(page).status_code == 200  # remembered from now on
    store = world.live.emulator.store
    [enrolment] = [e for e in store.enrollments.values() if e.user_id == 4 and e.course_id == 101]
    with store.lock:
        enrolment.workflow_state = "deleted"
    try:
        assert ta.get(page).status_code == 200  # within the minute, still remembered
        assert ta.get(f"{page}/download").status_code == 403  # a file read always asks
        assert ta.get(page).status_code == 403  # and the "yes" is gone
    finally:
        with store.lock:
            enrolment.workflow_state = "active"
        world.advance(61)


def test_revoked_tokens_serve_nothing_and_ask_to_authorize(setup: Setup) -> None:
    world, teacher = setup.world, setup.actors["teacher"]
    job_id = setup.jobs["quiz"]
    assert teacher.get(f"/reports/jobs/{job_id}/download").status_code == 200
    store = world.live.emulator.store
    with store.lock:
        saved = {raw: token.revoked for raw, token in store.access_tokens.items()}
        for token in store.access_tokens.values():
            if token.user_id == 3:
                token.revoked = True
    try:
        for path in ("/reports/jobs/{id}/download", "/insights/jobs/{id}"):
            response = teacher.get(path.format(id=job_id))
            assert response.status_code == 401, (path, response.status_code)
            assert b"attempt" not in response.data
            assert "Authorize" in response.text
    finally:
        with store.lock:
            for raw, revoked in saved.items():
                store.access_tokens[raw].revoked = revoked
        # The tool dropped the refused token: give the teacher a fresh one.
        world.authorize(3)
        world.advance(61)


def _allow_everything(_self: rights.Judge, _job: Job, *, fresh: bool = False) -> None:
    del fresh


def test_the_matrix_fails_without_the_file_check(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: with the per-viewer check switched off, the designer gets the answers."""
    monkeypatch.setattr(rights.Judge, "require_view", _allow_everything)
    response = setup.actors["designer"].get(f"/reports/jobs/{setup.jobs['quiz']}/download")
    assert response.status_code == 200
    assert response.data == _file(setup, setup.jobs["quiz"])


def test_jobs_are_unchanged_by_refused_viewers(setup: Setup) -> None:
    with setup.world.db.session() as session:
        statuses = {job.id: job.status for job in session.scalars(select(Job))}
    assert all(statuses[job_id] == JobStatus.COMPLETE for job_id in setup.jobs.values())


@pytest.mark.parametrize(("viewer", "status"), [("custom viewer@2", 200), ("help desk@2", 403)])
def test_untracked_account_report_files_follow_canvas(
    setup: Setup, viewer: str, status: int
) -> None:
    """Files of account reports the tool does not track (run in Canvas itself)."""
    job = setup.world.job(setup.jobs["account 2"])
    path = f"/reports/account/{job.report_type}/{job.canvas_report_id}/file"
    response = setup.actors[viewer].get(path)
    assert response.status_code == status, response.text[:300]
    if status == 200:
        assert response.data == _file(setup, job.id)
        return
    assert "Canvas does not allow you to see this report" in response.text
    with setup.world.db.session() as session:
        refused = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "denied", AuditEvent.canvas_user_id == HELP_DESK
            )
        ).all()
    assert any(str(job.canvas_report_id) in event.detail for event in refused)
