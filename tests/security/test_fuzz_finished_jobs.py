"""Fuzzing the views of finished jobs: insights (policy, group size, section), their CSV,
downloads, zips and actions, on real completed quiz reports from the emulator.

Properties: never a 5xx; a 4xx changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.reports.status import JobStatus
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import TEACHER_ROLES, Actor, World, world_for
from tests.security.platform import stored

VALUES = st.sampled_from(
    ["first", "last", "all", "as_reported", "0.27", "0.25", "0.33", "0.5", "1", "0", "-1",
     "nan", "inf", "1e309", "", "all_versions", "section 1", "Section A", "999999", "\x00"]
) | st.text(max_size=30)  # fmt: skip
PARAMS = st.dictionaries(
    st.sampled_from(["policy", "split", "section", "format", "next"]) | st.text(max_size=6),
    VALUES,
    max_size=4,
)
PATHS = [
    "/insights/jobs/{id}",
    "/insights/jobs/{id}/items.csv",
    "/reports/jobs/{id}",
    "/reports/jobs/{id}/download",
    "/reports/jobs/{id}/group.zip",
    "/api/jobs/{id}",
]


@pytest.fixture
def world(app: Flask, emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, emulator)


def _completed(world: World, actor: Actor, form: dict[str, str]) -> int:
    started = actor.post("/reports/quiz/201", form)
    assert started.status_code == 303, started.get_data(as_text=True)[:300]
    world.run_until_settled()
    job = world.jobs()[-1]
    assert job.status == JobStatus.COMPLETE
    return job.id


@pytest.fixture
def finished(world: World) -> tuple[World, Actor, list[int]]:
    teacher = world.launch(
        3, roles=TEACHER_ROLES, canvas_roles=["TeacherEnrollment"], course_id=101
    )
    ids = [
        _completed(world, teacher, {"report_type": "student_analysis", "all_versions": "1"}),
        _completed(world, teacher, {"report_type": "item_analysis"}),
    ]
    return world, teacher, ids


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(PATHS), params=PARAMS, which=st.sampled_from([0, 1]))
def test_finished_job_views_fuzz(
    finished: tuple[World, Actor, list[int]], path: str, params: dict[str, str], which: int
) -> None:
    world, teacher, ids = finished
    before = _without_audit(world)
    response = teacher.http.get(
        path.format(id=ids[which]),
        query_string={**params, "lt": teacher.token},
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:400]
    if response.status_code >= 400:
        assert _without_audit(world) == before
    response.close()


def _without_audit(world: World) -> Any:
    """What a refusal must not change. Insights read the report from Canvas before checking
    the analysis parameters (the policy depends on the report), and record that download in
    the audit trail, truthfully, even when the parameters then turn out wrong."""
    counts, keys = stored(world.app)
    return {k: v for k, v in counts.items() if k != "audit_event"}, keys


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(action=st.sampled_from(["abort", "delete", "retry"]) | st.text(max_size=8), next_=VALUES)
def test_finished_job_actions_fuzz(
    finished: tuple[World, Actor, list[int]], action: str, next_: str
) -> None:
    _world, teacher, ids = finished
    response: Any = teacher.post(f"/reports/jobs/{ids[0]}/{action}", {"next": next_})
    assert response.status_code < 500, response.get_data(as_text=True)[:400]
    location = response.headers.get("Location", "")
    assert not location.startswith("//")
    assert "://" not in location or location.startswith("http://localhost/")
