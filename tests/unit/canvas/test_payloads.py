"""Payload models against canvasapi's fixtures (where they are faithful) and Canvas's shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.canvas.client import CanvasClient
from app.canvas.payloads import AccountReport, File, Progress
from tests.unit.canvas.conftest import BASE
from tests.unit.canvas.fakes import Answer, FakeCanvas

# canvasapi's fixtures (MIT), vendored: see canvasapi_fixtures/README.md.
FIXTURES = Path(__file__).parent / "canvasapi_fixtures"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def test_deleted_account_report_fixture_parses_with_its_attachment(
    canvas: CanvasClient, fake: FakeCanvas
) -> None:
    fx = fixture("account.delete_report")
    fake.script("DELETE", f"{BASE}/api/v1/{fx['endpoint']}", Answer(200, fx["data"]))
    report = canvas.delete_account_report(1, "zero_activity_csv", 1)
    assert report.status == "deleted"
    assert report.parameters == {"extra_text": "Term: All Terms;"}
    assert report.started_at == datetime(
        2019, 8, 13, 15, 23, 17, tzinfo=timezone(timedelta(hours=-4))
    )
    assert report.attachment is not None
    assert report.attachment.content_type == "text/csv"
    assert report.attachment.size == 100
    assert fake.sent[0].method == "DELETE"


def test_report_index_fixture_pages_are_followed(canvas: CanvasClient, fake: FakeCanvas) -> None:
    first, second = fixture("account.report_index"), fixture("account.report_index_page_2")
    url = f"{BASE}/api/v1/accounts/1/reports/sis_export_csv"
    link = first["headers"]["Link"].replace("https://example.com", BASE)
    rows = [dict(row, status="complete") for row in first["data"]]
    rows_2 = [dict(row, status="complete") for row in second["data"]]
    fake.handle(
        "GET",
        url,
        lambda sent: (
            Answer(200, rows_2) if "page=2" in sent.url else Answer(200, rows, {"Link": link})
        ),
    )
    reports = canvas.list_account_reports(1, "sis_export_csv")
    assert [r.id for r in reports] == [1, 2, 3, 4]
    assert {r.report for r in reports} == {"sis_export_csv"}


@pytest.mark.parametrize("name", ["progress.progress_query", "progress.course_progress"])
def test_progress_fixtures_parse(canvas: CanvasClient, fake: FakeCanvas, name: str) -> None:
    fx = fixture(name)
    fake.script("GET", f"{BASE}/api/v1/{fx['endpoint']}", Answer(200, fx["data"]))
    progress = canvas.get_progress(int(fx["endpoint"].split("/")[-1]))
    assert progress == Progress.model_validate(fx["data"])
    assert progress.workflow_state == fx["data"]["workflow_state"]
    assert progress.updated_at is not None
    assert progress.updated_at.tzinfo is not None


@pytest.mark.parametrize(
    "name",
    [
        "sis_import.restore_sis_import_states",
        "group.category_assign_members_false",
        "conversation.batch_update",
    ],
)
def test_other_progress_shaped_fixtures_parse(name: str) -> None:
    data = fixture(name)["data"]
    assert Progress.model_validate(data).workflow_state == data["workflow_state"]


def test_progress_allows_null_completion() -> None:
    progress = Progress.model_validate({"id": 1, "workflow_state": "queued", "completion": None})
    assert progress.completion is None


def test_file_content_type_uses_canvas_hyphenated_key() -> None:
    file = File.model_validate({"id": 1, "display_name": "a.csv", "content-type": "text/csv"})
    assert file.content_type == "text/csv"


def test_naive_timestamps_are_read_as_utc() -> None:
    report = AccountReport.model_validate(
        {"id": 1, "status": "created", "created_at": "2026-01-01T10:00:00"}
    )
    assert report.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_payloads_are_frozen_and_ignore_unknown_keys() -> None:
    report = AccountReport.model_validate({"id": 1, "status": "running", "brand_new_key": 1})
    with pytest.raises(ValueError, match="frozen"):
        report.status = "complete"  # type: ignore[misc]
