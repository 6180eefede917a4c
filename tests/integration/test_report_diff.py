"""Comparing two runs of a report through the tool (docs/reports.md, "What changed").

Two Last User Access runs are started by an admin against a live emulator, with Canvas's data
changed in between (one user's last access moves, a user is added, one is deleted); the diff
page and its CSV must show exactly those changes, read both files as the viewer, and refuse
what cannot be compared with a clear message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.models.job import AuditEvent
from app.reports.status import JobStatus
from emulator.settings import EmulatorSettings
from emulator.store import AccountUser, User
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, TEACHER_ROLES, Actor, World, build_world
from tests.security.conftest import make_tool

REPORT = "/reports/account/last_user_access_csv"
HELP_DESK = 9002


@dataclass
class Runs:
    world: World
    admin: Actor
    old: int
    new: int
    other_type: int
    moved: int
    added: int
    removed: int


def _start(world: World, actor: Actor, path: str, form: dict[str, str] | None = None) -> int:
    before = {job.id for job in world.jobs()}
    response = actor.post(path, form or {})
    assert response.status_code == 303, response.text
    world.run_until_settled(step=2.0)
    [job_id] = [job.id for job in world.jobs() if job.id not in before]
    assert world.job(job_id).status == JobStatus.COMPLETE
    return job_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tool: Flask = make_tool(Path(tmp_path_factory.mktemp("diff")), rate_limits_enabled=False)
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        world = build_world(tool, live)
        admin = world.launch(1, roles=ADMIN_ROLES, account_id=1)
        old = _start(world, admin, REPORT)
        store = live.emulator.store
        with store.lock:
            users = sorted(
                (u for u in store.users.values() if u.workflow_state != "deleted"),
                key=lambda u: u.id,
            )
            moved, removed, template = users[0], users[1], users[2]
            store.users[moved.id] = replace(
                moved, last_request_at=world.now() + timedelta(days=1)
            )
            store.users[removed.id] = replace(removed, workflow_state="deleted")
            added_id = max(store.users) + 1
            store.users[added_id] = replace(
                template, id=added_id, name="Newt New", sortable_name="New, Newt",
                sis_user_id="NEW1", login_id="newt", lti_sub="sub-newt",
            )  # fmt: skip
        world.advance(600)  # past the duplicate-start window: a new run, not the same one
        new = _start(world, admin, REPORT)
        other = _start(world, admin, "/reports/account/unused_courses_csv")
        yield Runs(world, admin, old, new, other, moved.id, added_id, removed.id)
        live.emulator.store.clock.unfreeze()
    tool.extensions["db"].engine.dispose()


def test_the_job_page_offers_the_previous_run(runs: Runs) -> None:
    page = runs.admin.get(f"/reports/jobs/{runs.new}").text
    assert f"/reports/jobs/{runs.new}/diff/{runs.old}?" in page
    assert f"Compare with the previous run (#{runs.old}" in page
    first = runs.admin.get(f"/reports/jobs/{runs.old}").text
    assert "/diff/" not in first  # nothing earlier to compare with


def test_the_diff_page_counts_exactly_what_changed_in_canvas(runs: Runs) -> None:
    response = runs.admin.get(f"/reports/jobs/{runs.new}/diff/{runs.old}")
    assert response.status_code == 200
    page = response.text
    assert '<dd data-count="added">1</dd>' in page
    assert '<dd data-count="removed">1</dd>' in page
    assert '<dd data-count="changed">1</dd>' in page
    assert "last access at (1)" in page
    assert "New, Newt" in page


def test_the_diff_csv_holds_every_change_with_its_before_value(runs: Runs) -> None:
    response = runs.admin.get(f"/reports/jobs/{runs.new}/diff/{runs.old}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_change = {(row["change"], row["user id"]): row for row in rows}
    assert set(by_change) == {
        ("added", str(runs.added)),
        ("removed", str(runs.removed)),
        ("changed", str(runs.moved)),
    }
    changed = by_change[("changed", str(runs.moved))]
    assert changed["changed columns"] == "last access at"
    assert changed["last access at (before)"] != changed["last access at"]
    assert changed["last access at (before)"] != ""


def test_reading_both_files_is_audited_as_downloads(runs: Runs) -> None:
    with runs.world.db.session() as session:
        details = set(
            session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "download")
            )
        )
    assert f"compared #{runs.old} with #{runs.new}" in details


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/reports/jobs/{new}/diff/{new}", 400, "Choose two different runs to compare."),
        (
            "/reports/jobs/{new}/diff/{other}",
            400,
            "Only two runs of the same report in the same place can be compared.",
        ),
        ("/reports/jobs/{new}/diff/999999", 404, None),
    ],
)
def test_what_cannot_be_compared_gets_a_clear_message(
    runs: Runs, path: str, status: int, message: str | None
) -> None:
    url = path.format(new=runs.new, other=runs.other_type)
    response = runs.admin.get(url)
    assert response.status_code == status
    if message:
        assert message in response.text


def test_a_viewer_canvas_refuses_gets_403_and_one_elsewhere_404(runs: Runs) -> None:
    world = runs.world
    store = world.live.emulator.store
    with store.lock:
        store.custom_account_roles["Help Desk"] = frozenset({"view_notifications"})
        store.users[HELP_DESK] = User(
            id=HELP_DESK, name="Hal", sortable_name="Hal", short_name="Hal",
            login_id="hal", email="hal@example.edu", sis_user_id="HAL", lti_sub="sub-hal",
        )  # fmt: skip
        au_id = store.next_id("account_user")
        store.account_users[au_id] = AccountUser(au_id, 1, HELP_DESK, "Help Desk")
    help_desk = world.launch(HELP_DESK, roles=ADMIN_ROLES, account_id=1)
    refused = help_desk.get(f"/reports/jobs/{runs.new}/diff/{runs.old}")
    assert refused.status_code == 403
    assert help_desk.get(f"/reports/jobs/{runs.new}/diff/{runs.old}.csv").status_code == 403
    teacher = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    assert teacher.get(f"/reports/jobs/{runs.new}/diff/{runs.old}").status_code == 404
