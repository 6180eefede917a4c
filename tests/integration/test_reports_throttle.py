"""The worker honours Canvas's throttle budget (``X-Rate-Limit-Remaining``) per user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.reports.status import JobStatus
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, World, world_for


@pytest.fixture
def tight_emulator() -> Iterator[LiveEmulator]:
    """A Canvas whose bucket is small: a handful of requests leaves little budget."""
    settings = EmulatorSettings(
        size="small", report_seconds=0.5, throttle_hwm=155.0, throttle_outflow_per_second=0.5
    )
    with LiveEmulator(settings) as live:
        yield live


@pytest.fixture
def world(app: Flask, tight_emulator: LiveEmulator) -> Iterator[World]:
    yield from world_for(app, tight_emulator)


def test_low_budget_defers_the_users_other_jobs_without_calls(world: World) -> None:
    ada = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
    # Three different starts (identical ones inside the start window would be one job).
    for table in ("users", "courses", "accounts"):
        assert ada.post("/reports/account/provisioning_csv", {f"p_{table}": "1"}).status_code == 303
    world.advance(5)
    first = world.sweep()
    # The first poll tells the worker the budget is below its floor: the rest wait.
    assert len(first.polled) == 1
    assert len(first.deferred) == 2
    assert world.job(first.deferred[0]).polls == 0
    # The bucket leaks while the jobs wait; then they are polled and finish.
    world.advance(world.policy.budget_delay.total_seconds())
    world.run_until_settled(step=30)
    assert {job.status for job in world.jobs()} == {JobStatus.COMPLETE}
