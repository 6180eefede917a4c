"""Access matrix: two Canvases, root and sub-accounts, courses, every role and job endpoint.

Real launches through two live emulators give launch tokens; jobs of every context of both
platforms are written directly, owned by another user and naming no Canvas object. The oracle
below restates the context rule independently of ``app.reports.access``: a job is in reach
only on its own platform, account jobs only for an admin launched in that very account,
course jobs only for a launch in that very course. ``expected`` gives the one status of each
(launch, job, endpoint): outside the context a missing job (404), inside it Canvas's
refusal (403), never the title, never a change. What Canvas lets each real viewer see of real
reports is tested in ``test_viewer_rights.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.canvas.factory import canvas_client_for_user
from app.canvas.oauth import TokenGrant
from app.canvas.token_store import TokenStore
from app.db import Database, utcnow
from app.models import Job, Launch, Platform
from app.reports import overview, rights, worker
from app.reports.wake import WAITING_FOR_AUTHORIZATION
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.security.conftest import register
from tests.security.platform import (
    ACCOUNT_NAV,
    CLAIM,
    COURSE_NAV,
    launch_token,
    start_login,
    stored,
    tool_id,
)

UNCONNECTED = "platform B teacher 101"  # same Canvas user id as "teacher 101" on platform A


@dataclass(frozen=True)
class Actor:
    name: str
    platform: str  # "A" | "B"
    user_id: int
    context: str  # "account" | "course"
    context_id: int
    admin: bool
    token: str = ""


@dataclass(frozen=True)
class JobRow:
    id: int
    platform: str
    family: str
    account_id: int | None
    course_id: int | None
    title: str


ACTORS = [
    Actor("root admin", "A", 1, "account", 1, admin=True),
    Actor("sub-account admin", "A", 2, "account", 2, admin=True),
    Actor("teacher 101", "A", 3, "course", 101, admin=False),
    Actor("teacher 102", "A", 3, "course", 102, admin=False),
    Actor("TA 101", "A", 4, "course", 101, admin=False),
    Actor("designer 101", "A", 5, "course", 101, admin=False),
    Actor("teacher 103", "A", 6, "course", 103, admin=False),
    Actor("platform B root admin", "B", 1, "account", 1, admin=True),
    Actor("platform B teacher 101", "B", 3, "course", 101, admin=False),
]

ENDPOINTS = [
    ("GET", "/reports/jobs/{id}"),
    ("GET", "/api/jobs/{id}"),
    ("GET", "/api/jobs?ids={id}"),
    ("GET", "/reports/jobs/{id}/download"),
    ("GET", "/reports/jobs/{id}/group.zip"),
    ("GET", "/insights/jobs/{id}"),
    ("GET", "/insights/jobs/{id}/items.csv"),
    ("POST", "/reports/jobs/{id}/abort"),
    ("POST", "/reports/jobs/{id}/delete"),
    ("POST", "/reports/jobs/{id}/retry"),
]
DB_ONLY = {"/reports/jobs/{id}", "/api/jobs/{id}", "/api/jobs?ids={id}"}


def visible(actor: Actor, job: JobRow) -> bool:
    """The context rule, restated: same platform and exactly the launch's own context."""
    if job.platform != actor.platform:
        return False
    if job.family == "account":
        return actor.context == "account" and actor.admin and job.account_id == actor.context_id
    return actor.context == "course" and job.course_id == actor.context_id


def expected(actor: Actor, job: JobRow, method: str, template: str) -> int:
    """The one status each request must get.

    Outside the launch's context every job looks missing (404; the list answers no jobs).
    Inside it, these jobs belong to another user and name no Canvas object yet, so there is
    nothing Canvas could confirm: the job page and every read or action that would need
    Canvas's "yes" answer 403 ("Canvas does not allow"), lists hide the job, and what does
    not apply to the job (insights of an account report, the zip of an unsplit run) is 404.
    """
    if template == "/api/jobs?ids={id}":
        return 200
    if not visible(actor, job) or template == "/api/jobs/{id}":
        return 404
    if template == "/reports/jobs/{id}/group.zip":
        return 404
    if template.startswith("/insights/") and job.family not in ("quiz", "new_quiz"):
        return 404
    return 403


@dataclass
class World:
    app: Flask
    actors: list[Actor]
    jobs: list[JobRow]
    platform_ids: dict[str, int]
    canvases: dict[str, LiveEmulator]
    registrations: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def world(tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]) -> Iterator[World]:
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as second:
        regs = {"A": registration, "B": register(tool, second)}
        canvases = {"A": live_canvas, "B": second}
        db: Database = tool.extensions["db"]
        with db.session() as session:
            launches_before = session.scalar(select(func.count()).select_from(Launch))
        actors = []
        for actor in ACTORS:
            reg = regs[actor.platform]
            path = (
                ACCOUNT_NAV.format(tool=tool_id(reg), account=actor.context_id)
                if actor.context == "account"
                else COURSE_NAV.replace("101", str(actor.context_id)).format(tool=tool_id(reg))
            )
            token = launch_token(tool, canvases[actor.platform], reg, actor.user_id, path)
            actors.append(Actor(**{**actor.__dict__, "token": token}))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Launch)) == (
                (launches_before or 0) + len(ACTORS)
            )
            platform_ids = {
                name: session.scalars(
                    select(Platform.id).where(Platform.issuer == reg["issuer"])
                ).one()
                for name, reg in regs.items()
            }
            jobs = _seed_jobs(session, platform_ids)
            session.commit()
        made = World(tool, actors, jobs, platform_ids, canvases, regs)
        _give_tokens(made)
        yield made


def _give_tokens(world: World) -> None:
    """A stored (fake) Canvas token per actor lets views build a Canvas client. Canvas
    refuses it, so a view that reaches Canvas drops it again: tests that need the refusal to
    come from the tool itself call this first."""
    db: Database = world.app.extensions["db"]
    box = world.app.extensions["secret_box"]
    with db.session() as session:
        for actor in world.actors:
            if actor.name == UNCONNECTED:
                continue
            TokenStore(session, box).save(
                world.platform_ids[actor.platform],
                actor.user_id,
                TokenGrant("fake-access", "fake-refresh", utcnow() + timedelta(hours=1), None, ""),
            )


def _seed_jobs(session: Any, platform_ids: dict[str, int]) -> list[JobRow]:
    rows: list[JobRow] = []
    specs: list[tuple[str, int | None, int | None]] = [
        ("account", 1, None),
        ("account", 2, None),
        ("account", 3, None),
        ("course", 2, 101),
        ("course", 2, 102),
        ("course", 3, 103),
        ("quiz", 2, 101),
        ("new_quiz", 3, 103),
    ]
    for platform, platform_id in platform_ids.items():
        for family, account_id, course_id in specs:
            title = f"SECRET-{platform}-{family}-{account_id}-{course_id}"
            job = Job(
                platform_id=platform_id,
                canvas_user_id=99,
                family=family,
                report_type="grade_export_csv" if family != "quiz" else "student_analysis",
                title=title,
                canvas_account_id=account_id,
                canvas_course_id=course_id,
                canvas_quiz_id=201 if family == "quiz" else None,
                canvas_assignment_id=301 if family == "new_quiz" else None,
                status="complete",
                percent=100.0,
                file_name=f"{title}.csv",
                file_url="http://localhost:1/files/1/download",
                finished_at=utcnow(),
            )
            session.add(job)
            session.flush()
            rows.append(JobRow(job.id, platform, family, account_id, course_id, title))
    return rows


def _job_state(app: Flask) -> list[tuple[int, str, Any]]:
    db: Database = app.extensions["db"]
    with db.session() as session:
        return [
            (j.id, j.status, j.updated_at) for j in session.scalars(select(Job).order_by(Job.id))
        ]


def _call(app: Flask, actor: Actor, method: str, url: str) -> Any:
    client = app.test_client()
    if method == "GET":
        sep = "&" if "?" in url else "?"
        return client.get(f"{url}{sep}lt={actor.token}")
    return client.post(url, headers={"Authorization": f"Bearer {actor.token}"})


def matrix(world: World, endpoints: list[tuple[str, str]]) -> tuple[list[str], int]:
    """Run every (actor, job, endpoint); returns (problems, requests checked)."""
    problems: list[str] = []
    checked = 0
    for actor in world.actors:
        for job in world.jobs:
            for method, template in endpoints:
                url = template.format(id=job.id)
                response = _call(world.app, actor, method, url)
                body = response.get_data(as_text=True)
                checked += 1
                want = expected(actor, job, method, template)
                listed = template == "/api/jobs?ids={id}" and response.get_json() != {"jobs": []}
                if response.status_code != want or job.title in body or listed:
                    problems.append(
                        f"{actor.name} -> {job.title} {method} {url}: "
                        f"{response.status_code}, expected {want}"
                    )
    return problems, checked


def test_no_launch_reads_or_acts_on_a_job_outside_its_context(world: World) -> None:
    before = _job_state(world.app)
    problems, checked = matrix(world, ENDPOINTS)
    assert not problems, "\n".join(problems[:40])
    assert _job_state(world.app) == before, "a refused request changed a job"
    assert checked > 1000


def test_the_matrix_catches_a_leak(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: with the context query and Canvas's judgement opened up, the matrix
    reports the leaks."""
    monkeypatch.setattr(overview, "visible_jobs", lambda _launch: select(Job))
    monkeypatch.setattr(rights.Judge, "may_list", lambda _self, _job: True)
    problems, _ = matrix(world, [("GET", "/api/jobs/{id}")])
    assert any(p.startswith("platform B root admin -> SECRET-A") for p in problems)


@pytest.mark.parametrize(
    ("actor_name", "method", "url", "status"),
    [
        # The launch's placement refuses these before anything reaches Canvas.
        ("teacher 101", "GET", "/reports/account", 403),
        ("teacher 101", "POST", "/reports/account/provisioning_csv", 403),
        ("TA 101", "GET", "/reports/account/grade_export_csv", 403),
        ("root admin", "POST", "/reports/course/grade_export_csv", 403),
        ("sub-account admin", "GET", "/reports/course", 403),
        # A start without a valid report type is refused before anything is recorded.
        ("teacher 103", "POST", "/reports/quiz/201", 400),
        ("teacher 103", "POST", "/reports/new_quiz/301", 400),
    ],
)
def test_no_launch_starts_a_report_outside_its_context(
    world: World, actor_name: str, method: str, url: str, status: int
) -> None:
    _give_tokens(world)
    actor = next(a for a in world.actors if a.name == actor_name)
    before = _job_state(world.app)
    response = _call(world.app, actor, method, url)
    assert response.status_code == status, (actor_name, url, response.status_code)
    assert _job_state(world.app) == before


@pytest.mark.parametrize(
    ("actor_name", "url", "form"),
    [
        ("teacher 103", "/reports/quiz/201", {"report_type": "item_analysis"}),
        ("teacher 103", "/reports/new_quiz/301", {"report_type": "item_analysis", "format": "csv"}),
        (
            "designer 101",
            "/reports/new_quiz/302",
            {"report_type": "item_analysis", "format": "csv"},
        ),
    ],
)
def test_a_start_in_the_launchs_course_is_judged_by_canvas(
    world: World, monkeypatch: pytest.MonkeyPatch, actor_name: str, url: str, form: dict[str, str]
) -> None:
    """The ids go to Canvas under the launch's course, with the user's token, from the worker:
    the request only records a ``starting`` job (nothing else changes); this Canvas refuses
    the (fake) token and its refresh, so the job stays ``starting``, waiting for the user to
    authorize again, and Canvas has no report."""
    _give_tokens(world)
    monkeypatch.setattr(worker, "schedule_polls", lambda *_args: None)  # the worker, by hand
    actor = next(a for a in world.actors if a.name == actor_name)
    before = _job_state(world.app)
    response = world.app.test_client().post(
        url,
        data=form,
        headers={"Authorization": f"Bearer {actor.token}", "Accept": "application/json"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    [started] = response.get_json()["jobs"]
    assert (started["status"], started["starting"]) == ("starting", True)
    assert _job_state(world.app)[: len(before)] == before
    db: Database = world.app.extensions["db"]
    with world.app.app_context(), db.session() as session:
        result = worker.poll_jobs(session, [started["id"]], canvas_client_for_user, utcnow())
        assert result.polled == [started["id"]]
        job = session.get(Job, started["id"])
        assert job is not None
        assert job.canvas_course_id == actor.context_id  # from the launch, never the URL
        assert (job.status, job.canvas_report_id, job.canvas_progress_id) == (
            "starting",
            None,
            None,
        )
        assert job.error == WAITING_FOR_AUTHORIZATION


def test_student_never_gets_a_launch(
    tool: Flask, live_canvas: LiveEmulator, registration: dict[str, Any]
) -> None:
    """Canvas hides course navigation from students; a student id_token anyway is refused."""
    login = start_login(tool, live_canvas, registration)
    student = [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
    ]
    claims = dict(login.claims)
    claims[CLAIM + "roles"] = student
    custom = dict(claims.get(CLAIM + "custom") or {})
    custom["canvas_membership_roles"] = "StudentEnrollment"
    claims[CLAIM + "custom"] = custom
    before = stored(tool)
    response = login.post(id_token=login.sign(claims))
    assert response.status_code == 403
    assert stored(tool) == before


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "a.b.c"],
)
def test_bad_launch_tokens_are_refused_everywhere(world: World, token: str) -> None:
    for method, template in ENDPOINTS:
        url = template.format(id=world.jobs[0].id)
        client = world.app.test_client()
        if method == "GET":
            response = client.get(f"{url}{'&' if '?' in url else '?'}lt={token}")
        else:
            response = client.post(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, (url, response.status_code)
        assert world.jobs[0].title not in response.get_data(as_text=True)


def test_canvas_connection_is_per_platform_and_user(world: World) -> None:
    """User 3 authorized the tool on platform A only: platform B's launch is not connected."""
    _give_tokens(world)
    by_name = {actor.name: actor for actor in world.actors}
    connected = _call(world.app, by_name["teacher 101"], "GET", "/oauth/status").get_json()
    other = _call(world.app, by_name[UNCONNECTED], "GET", "/oauth/status").get_json()
    assert connected["connected"] is True
    assert other["connected"] is False
    refused = _call(world.app, by_name[UNCONNECTED], "GET", f"/reports/jobs/{world.jobs[0].id}")
    assert refused.status_code == 404


LANDINGS = {"/course": "course", "/account": "account", "/reports/account": "account"}


@pytest.mark.parametrize("path", sorted(LANDINGS))
def test_pages_of_another_placement_are_refused(world: World, path: str) -> None:
    _give_tokens(world)
    for actor in world.actors:
        if actor.name == UNCONNECTED:
            continue  # without a token, report pages ask to authorize Canvas first (401)
        response = _call(world.app, actor, "GET", path)
        if LANDINGS[path] == actor.context:
            assert response.status_code != 403, (actor.name, path)
        else:
            assert response.status_code == 403, (actor.name, path, response.status_code)


def test_an_id_token_of_another_platform_is_refused(world: World) -> None:
    """Cross-tenant: a login started with Canvas A, answered by Canvas B's genuine id_token."""
    at_a = start_login(world.app, world.canvases["A"], world.registrations["A"])
    at_b = start_login(world.app, world.canvases["B"], world.registrations["B"])
    before = stored(world.app)
    response = at_a.post(id_token=at_b.form["id_token"])
    assert response.status_code == 400
    assert "platform the login started at" in response.get_data(as_text=True)
    assert stored(world.app) == before
