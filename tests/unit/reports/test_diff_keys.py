"""Every table Canvas writes (as the emulator copies its headers) resolves to its natural key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import Babel

from app.reports.diff import key_columns
from emulator.reports.account_csv import GENERATORS, Context
from emulator.seed import seed_store
from emulator.store import AccountReport, Store


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def _generator_headers() -> Iterator[tuple[str, str, list[str]]]:
    store = Store()
    seed_store(store, 1, "small")
    tables = {"users", "accounts", "terms", "courses", "sections", "enrollments"}
    for report_type, generate in GENERATORS.items():
        report = AccountReport(
            id=1, account_id=min(store.accounts), report_type=report_type, user_id=1,
            parameters={**dict.fromkeys(tables, True), "start_at": "2026-01-01",
                        "end_at": "2026-01-10"},
            workflow_state="running", progress=0, created_at=datetime.now(UTC),
        )  # fmt: skip
        for table, rows in generate(Context(store, report, datetime.now(UTC))).tables.items():
            yield report_type, table, [str(cell) for cell in rows[0]]


EXPECTED_KEYS = {
    ("provisioning_csv", "users"): ("canvas_user_id",),
    ("provisioning_csv", "accounts"): ("canvas_account_id",),
    ("provisioning_csv", "terms"): ("canvas_term_id",),
    ("provisioning_csv", "courses"): ("canvas_course_id",),
    ("provisioning_csv", "sections"): ("canvas_section_id",),
    ("provisioning_csv", "enrollments"): ("canvas_enrollment_id",),
    ("sis_export_csv", "users"): ("user_id",),
    ("sis_export_csv", "accounts"): ("account_id",),
    ("sis_export_csv", "terms"): ("term_id",),
    ("sis_export_csv", "courses"): ("course_id",),
    ("sis_export_csv", "sections"): ("section_id",),
    ("sis_export_csv", "enrollments"): (
        "course_id", "user_id", "role_id", "section_id", "associated_user_id"),
    ("grade_export_csv", "grade_export"): ("student id", "section id"),
}


def test_every_canvas_report_header_has_its_natural_key() -> None:
    """Each table Canvas (as the emulator copies it) writes resolves to a key; the
    multi-table reports resolve each table to its own row identity."""
    seen = 0
    for report_type, table, header in _generator_headers():
        if report_type == "mgp_grade_export_csv":
            continue  # the seed has no grading periods: the file is a one-line notice
        key = key_columns(report_type, header)
        expected = EXPECTED_KEYS.get((report_type, table))
        if expected is not None:
            assert key == expected, (report_type, table)
            seen += 1
    assert seen == len(EXPECTED_KEYS)
