from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.canvas.payloads import AccountReport, File, Progress, QuizReport
from app.models.job import Job
from app.reports.observe import (
    apply,
    from_account_report,
    from_progress,
    from_quiz_report,
    progress_id_from_url,
    result_file_id,
)
from app.reports.polling import PollPolicy
from app.reports.status import JobStatus
from tests.support import factories

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
FILE = {
    "id": 77,
    "display_name": "report.csv",
    "size": 1234,
    "url": "https://c/files/77/download?verifier=x",
    "content-type": "text/csv",
}


def account_report(**fields: Any) -> AccountReport:
    return AccountReport.model_validate({"id": 5, "status": "running", "progress": 40, **fields})


def job(family: str = "account", status: str = "running", **fields: Any) -> Job:
    values: dict[str, Any] = {"percent": 0.0, "started_at": T0, "created_at": T0,
                              "progress_changed_at": T0, "polls": 0}
    values.update(fields)
    return factories.job(family=family, status=status, **values)


def test_complete_account_report_carries_its_file() -> None:
    seen = from_account_report(account_report(status="complete", progress=100, attachment=FILE))
    assert seen.status is JobStatus.COMPLETE
    assert seen.file is not None
    assert (seen.file.id, seen.file.name, seen.file.size, seen.file.content_type) == (
        77,
        "report.csv",
        1234,
        "text/csv",
    )


def test_failed_account_report_explains_with_extra_text() -> None:
    seen = from_account_report(
        account_report(
            status="error", progress=100, parameters={"extra_text": "Boom: ErrorReport:9"}
        )
    )
    assert seen.status is JobStatus.FAILED
    assert seen.error == "Boom: ErrorReport:9"


def test_quiz_report_with_a_file_is_complete_whatever_its_progress_says() -> None:
    report = QuizReport.model_validate({"id": 3, "report_type": "item_analysis", "file": FILE})
    assert from_quiz_report(report, None).status is JobStatus.COMPLETE


def test_quiz_report_without_file_or_progress_was_aborted() -> None:
    report = QuizReport.model_validate({"id": 3, "report_type": "item_analysis"})
    assert from_quiz_report(report, None).status is JobStatus.ABORTED


def test_quiz_report_progress_completed_without_file_keeps_running() -> None:
    report = QuizReport.model_validate(
        {"id": 3, "report_type": "item_analysis", "progress_url": "https://c/api/v1/progress/12"}
    )
    progress = Progress.model_validate({"id": 12, "workflow_state": "completed", "completion": 100})
    assert from_quiz_report(report, progress).status is JobStatus.RUNNING


def test_new_quiz_progress_stuck_running_but_file_exists_is_complete() -> None:
    progress = Progress.model_validate(
        {
            "id": 12,
            "workflow_state": "running",
            "completion": 50,
            "results": {"url": "https://c/api/assignments/1/files/77/download"},
        }
    )
    seen = from_progress(progress, File.model_validate(FILE))
    assert seen.status is JobStatus.COMPLETE
    assert seen.percent == 100.0


def test_new_quiz_failed_progress_keeps_canvas_message() -> None:
    progress = Progress.model_validate(
        {"id": 12, "workflow_state": "failed", "message": "Unexpected error, ID: 4"}
    )
    seen = from_progress(progress, None)
    assert seen.status is JobStatus.FAILED
    assert seen.error == "Unexpected error, ID: 4"


def test_ids_are_read_from_canvas_urls() -> None:
    progress = Progress.model_validate(
        {
            "id": 1,
            "workflow_state": "completed",
            "results": {"url": "https://c/api/assignments/1/files/2/download"},
        }
    )
    assert result_file_id(progress) == 2
    assert result_file_id(Progress.model_validate({"id": 1, "workflow_state": "running"})) is None
    assert progress_id_from_url("https://c/api/v1/progress/44") == 44
    assert progress_id_from_url(None) is None


def test_apply_moves_status_and_schedules_by_age() -> None:
    row = job(status="queued")
    policy = PollPolicy()
    now = T0 + timedelta(seconds=60)
    apply(row, from_account_report(account_report()), now, policy)
    assert row.status == "running"
    assert row.percent == 40
    assert row.next_poll_at == now + timedelta(seconds=30)
    assert row.progress_changed_at == now


def test_apply_marks_a_job_stale_when_nothing_moves_too_long() -> None:
    row = job(percent=40.0, canvas_state="running")
    policy = PollPolicy()
    apply(row, from_account_report(account_report()), T0 + timedelta(minutes=31), policy)
    assert row.status == "stale"
    assert row.next_poll_at is None


def test_apply_keeps_a_moving_job_alive() -> None:
    row = job(percent=40.0)
    apply(
        row,
        from_account_report(account_report(progress=41)),
        T0 + timedelta(minutes=31),
        PollPolicy(),
    )
    assert row.status == "running"


def test_stale_job_recovers_when_canvas_finishes() -> None:
    row = job(status="stale", percent=40.0)
    apply(
        row,
        from_account_report(account_report(status="complete", progress=100, attachment=FILE)),
        T0 + timedelta(hours=2),
        PollPolicy(),
    )
    assert row.status == "complete"
    assert row.file_name == "report.csv"


def test_failed_account_report_prefers_the_error_report_code() -> None:
    message = "Generating the report, Last User Access, failed. ... code: ErrorReport:40001"
    seen = from_account_report(
        account_report(
            status="error", progress=100, parameters={"extra_text": "Term: All"}, message=message
        )
    )
    assert seen.error == message
