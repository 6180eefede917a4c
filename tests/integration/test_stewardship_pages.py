"""The privacy page, the data settings, "forget a user" and the audit export, through the
tool against a live emulator: Canvas decides who may (docs/privacy.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.models import AuditEvent, CanvasToken, Job, RetentionPolicy
from emulator.oauth.tokens import active_token
from emulator.settings import EmulatorSettings
from emulator.store import AccountUser, User
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, TEACHER_ROLES, World, build_world
from tests.security.conftest import make_tool

HELP_DESK = 9002
ROOT_ONLY = "Canvas does not list you as an admin of the institution"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tool: Flask = make_tool(Path(tmp_path_factory.mktemp("steward")), rate_limits_enabled=False)
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0.5)) as live:
        store = live.emulator.store
        with store.lock:
            store.custom_account_roles["Help Desk"] = frozenset({"view_notifications"})
            store.users[HELP_DESK] = User(
                id=HELP_DESK, name="Hal", sortable_name="Hal", short_name="Hal",
                login_id="hal", email="hal@example.edu", sis_user_id="HAL", lti_sub="sub-hal",
            )  # fmt: skip
            au_id = store.next_id("account_user")
            store.account_users[au_id] = AccountUser(au_id, 2, HELP_DESK, "Help Desk")
        built = build_world(tool, live)
        yield built
        store.clock.unfreeze()
    tool.extensions["db"].engine.dispose()


def test_privacy_page_states_the_platforms_periods(world: World) -> None:
    teacher = world.launch(3, roles=TEACHER_ROLES, course_id=101)
    page = teacher.get("/privacy")
    assert page.status_code == 200
    assert "90 days after the report finished." in page.text
    assert "365 days." in page.text


def test_only_a_root_account_admin_may_open_the_data_settings(world: World) -> None:
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)
    assert root.get("/admin/data").status_code == 200
    sub = world.launch(2, roles=ADMIN_ROLES, account_id=2)
    refused = sub.get("/admin/data")
    assert refused.status_code == 403
    assert ROOT_ONLY in refused.text
    change = {"job_days": "5", "audit_days": "5"}
    assert sub.post("/admin/data/retention", change).status_code == 403
    with world.db.session() as session:
        assert session.get(RetentionPolicy, world.platform_id) is None
        denied = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "denied", AuditEvent.canvas_user_id == 2
            )
        ).all()
    assert "not a root account admin" in denied


def test_bad_retention_input_is_shown_in_place_and_nothing_changes(world: World) -> None:
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)
    response = root.post("/admin/data/retention", {"job_days": "0", "audit_days": "abc"})
    assert response.status_code == 400
    page = response.text
    assert "Finished reports must be a whole number of days from 1 to 3650." in page
    assert "Audit trail must be a whole number of days from 1 to 3650." in page
    assert 'value="abc"' in page  # what was typed stays
    assert 'aria-invalid="true"' in page
    with world.db.session() as session:
        assert session.get(RetentionPolicy, world.platform_id) is None
    saved = root.post("/admin/data/retention", {"job_days": "30", "audit_days": "400"})
    assert saved.status_code == 200
    with world.db.session() as session:
        row = session.get(RetentionPolicy, world.platform_id)
        assert row is not None
        assert (row.job_days, row.audit_days) == (30, 400)


def test_forgetting_needs_a_valid_id_and_a_confirmation(world: World) -> None:
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)
    missing = root.post("/admin/data/forget", {"canvas_user_id": "²"})
    assert missing.status_code == 400
    assert "Enter the person&#39;s Canvas user id (digits only)." in missing.text
    assert "Tick the box to confirm: this cannot be undone." in missing.text
    assert 'value="²"' in missing.text


def test_forgetting_a_teacher_revokes_their_canvas_token_and_deletes_their_rows(
    world: World,
) -> None:
    teacher = world.launch(3, roles=TEACHER_ROLES, course_id=101, name="Tina Teacher")
    started = teacher.post("/reports/course/course_pace_docx")
    assert started.status_code == 303
    with world.db.session() as session:
        token_row = session.scalars(
            select(CanvasToken).where(CanvasToken.canvas_user_id == 3)
        ).one()
        token = world.app.extensions["secret_box"].decrypt(token_row.access_token_encrypted)
    assert active_token(world.live.emulator, token) is not None
    root = world.launch(1, roles=ADMIN_ROLES, account_id=1)
    done = root.post("/admin/data/forget", {"canvas_user_id": "3", "confirm": "yes"})
    assert done.status_code == 200
    assert "revoked in Canvas" in done.text
    assert active_token(world.live.emulator, token) is None
    with world.db.session() as session:
        assert session.scalars(select(Job).where(Job.canvas_user_id == 3)).all() == []
        tokens = select(CanvasToken).where(CanvasToken.canvas_user_id == 3)
        assert session.scalars(tokens).all() == []
        names = session.scalars(select(AuditEvent.user_name)).all()
    assert "Tina Teacher" not in names
    assert teacher.get("/reports/course").status_code == 403  # the launch is gone too


def test_the_audit_export_covers_what_canvas_lets_the_admin_read(world: World) -> None:
    sub = world.launch(2, roles=ADMIN_ROLES, account_id=2)
    sub.get("/admin/data")  # a refusal: recorded on account 2
    response = sub.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows
    assert {row["canvas_account_id"] for row in rows} == {"2"}
    help_desk = world.launch(HELP_DESK, roles=ADMIN_ROLES, account_id=2)
    assert help_desk.get("/admin/audit.csv").status_code == 403
