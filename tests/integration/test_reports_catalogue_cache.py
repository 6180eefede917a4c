"""The report overviews keep Canvas's answers for a minute, per user, and never its errors.

``/reports/account`` (the ``available_reports`` catalogue) and ``/reports/course`` (quizzes
and assignments) against the live emulator; ``world.canvas.count`` counts the requests the
emulator answered, and the tool's cache runs on the world's (frozen) clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from app.reports.canvas_cache import DEFAULT_TTL
from emulator import faults
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import (
    ADMIN_ROLES,
    TA_ROLES,
    TEACHER_ROLES,
    Actor,
    World,
    world_for,
)

CATALOGUE = r"^/api/v1/accounts/1/reports$"
QUIZZES = r"^/api/v1/courses/101/quizzes$"
_TOKEN = re.compile(r"lt=[^\"&]+|content=\"[^\"]+\"")


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def admin(world: World, user_id: int = 1) -> Actor:
    return world.launch(
        user_id, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1, name="Ada"
    )


def teacher(world: World, user_id: int = 3, roles: list[str] = TEACHER_ROLES) -> Actor:
    return world.launch(user_id, roles=roles, course_id=101, name=f"User {user_id}")


def view(actor: Actor, path: str) -> tuple[int, str]:
    """Status, Canvas requests it took, and the page without the per-launch token."""
    before = actor.world.canvas.count
    page = actor.get(path)
    assert page.status_code == 200, page.text
    return actor.world.canvas.count - before, _TOKEN.sub("", page.text)


def test_second_catalogue_view_asks_canvas_nothing_and_looks_the_same(world: World) -> None:
    ada = admin(world)
    calls, first = view(ada, "/reports/account")
    assert calls == 1
    assert "Students with no submissions" in first
    calls, second = view(ada, "/reports/account")
    assert calls == 0
    assert second == first


def test_second_course_view_asks_canvas_nothing_and_looks_the_same(world: World) -> None:
    tina = teacher(world)
    calls, first = view(tina, "/reports/course")
    assert calls == 2  # quizzes and assignments
    assert "Cell Biology Midterm" in first
    assert "Genetics Check" in first
    calls, second = view(tina, "/reports/course")
    assert calls == 0
    assert second == first


def test_another_user_never_gets_the_cached_answer(world: World) -> None:
    ada = admin(world)
    assert view(ada, "/reports/account")[0] == 1
    # Sam administers sub-account 2 only: Canvas refuses him account 1's catalogue, and
    # the tool must ask Canvas as Sam instead of showing Ada's entry.
    sam = admin(world, user_id=2)
    before = world.canvas.count
    refused = sam.get("/reports/account")
    assert world.canvas.count - before == 1
    assert refused.status_code == 403
    assert "Students with no submissions" not in refused.text
    # A TA of the same course gets their own entry (one more pair of Canvas calls).
    assert view(teacher(world), "/reports/course")[0] == 2
    assert view(teacher(world, user_id=4, roles=TA_ROLES), "/reports/course")[0] == 2
    # ... and Ada's own entry still serves her.
    assert view(ada, "/reports/account")[0] == 0


def test_entries_expire_after_the_ttl(world: World) -> None:
    ada = admin(world)
    tina = teacher(world)
    assert view(ada, "/reports/account")[0] == 1
    assert view(tina, "/reports/course")[0] == 2
    world.advance(DEFAULT_TTL - 1)
    assert view(ada, "/reports/account")[0] == 0
    assert view(tina, "/reports/course")[0] == 0
    world.advance(2)
    assert view(ada, "/reports/account")[0] == 1
    assert view(tina, "/reports/course")[0] == 2


def test_starting_a_report_uses_the_cached_catalogue_and_keeps_it(world: World) -> None:
    # A start only records the job (the worker asks Canvas), so it checks the type against
    # the catalogue the overview cached and asks Canvas nothing in the request.
    ada = admin(world)
    view(ada, "/reports/account")
    before = world.canvas.count
    started = ada.post("/reports/account/last_user_access_csv")
    assert started.status_code == 303, started.text
    assert world.canvas.count == before + 1  # the worker's POST (immediate in tests), only
    assert view(ada, "/reports/account")[0] == 0


def test_starting_a_course_report_keeps_the_course_lists(world: World) -> None:
    tina = teacher(world)
    view(tina, "/reports/course")
    assert tina.post("/reports/course/course_pace_docx").status_code == 303
    assert view(tina, "/reports/course")[0] == 0


def test_a_job_action_refreshes_the_catalogue(world: World) -> None:
    ada = admin(world)
    ada.post("/reports/account/last_user_access_csv")
    [job] = world.jobs()
    world.run_until_settled()
    view(ada, "/reports/account")
    deleted = ada.post(f"/reports/jobs/{job.id}/delete", {"confirm": "1"})
    assert deleted.status_code == 303, deleted.text
    assert view(ada, "/reports/account")[0] == 1


def test_canvas_errors_are_not_cached(world: World) -> None:
    ada = admin(world)
    tina = teacher(world)
    faults.add_route_fault(world.live.emulator, "error", CATALOGUE, status=403)
    faults.add_route_fault(world.live.emulator, "error", QUIZZES, status=403)
    assert ada.get("/reports/account").status_code == 403
    assert tina.get("/reports/course").status_code == 403
    faults.clear(world.live.emulator)
    calls, page = view(ada, "/reports/account")
    assert calls == 1
    assert "Students with no submissions" in page
    assert view(tina, "/reports/course")[0] == 2


def test_the_landing_quiz_picker_shares_the_course_entry(world: World) -> None:
    tina = world.launch(3, roles=TEACHER_ROLES, course_id=101, placement="quiz_menu")
    calls, first = view(tina, "/quiz")  # a quiz placement without a quiz: the picker
    assert calls == 2  # quizzes and assignments
    assert "Cell Biology Midterm" in first
    assert view(tina, "/quiz")[0] == 0
    assert view(tina, "/reports/course")[0] == 0  # the overview reads the same entry
