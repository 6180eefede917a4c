"""What Canvas says about a job, normalized: one ``Observation`` per poll, per family.

``fetch`` makes the Canvas calls a poll needs; ``from_*`` turn payloads into
observations using ``status.py``'s translation; ``apply`` folds one into the job row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound
from app.canvas.payloads import AccountReport, CourseReport, File, Progress, QuizReport
from app.errors import ToolError
from app.i18n import N_
from app.inputs import parse_id
from app.models.job import Job
from app.reports.kinds import Family
from app.reports.polling import PollPolicy
from app.reports.status import (
    LIVE,
    JobStatus,
    from_progress_state,
    from_report_state,
    move,
    status_of,
)

_FILE_ID = re.compile(r"/files/(\d+)")


@dataclass(frozen=True)
class FileInfo:
    id: int | None
    name: str
    size: int | None
    content_type: str | None
    url: str


@dataclass(frozen=True)
class Observation:
    status: JobStatus
    canvas_state: str
    percent: float | None = None
    current_line: int | None = None
    file: FileInfo | None = None
    error: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    report_id: int | None = None
    progress_id: int | None = None


def dump(payload: BaseModel) -> dict[str, Any]:
    """A payload as JSON-safe data for ``Job.last_payload``."""
    data: dict[str, Any] = payload.model_dump(mode="json", by_alias=True)
    return data


def file_info(file: File) -> FileInfo:
    return FileInfo(
        id=file.id,
        name=file.display_name,
        size=file.size,
        content_type=file.content_type,
        url=file.url or "",
    )


def from_account_report(report: AccountReport) -> Observation:
    status = from_report_state(report.status)
    error = None
    if status is JobStatus.FAILED:
        error = str((report.parameters or {}).get("extra_text") or N_("Canvas reported an error."))
        # A report that raised carries "... ErrorReport:<id>" in ``message`` (reports-api.md
        # 1.4 step 6) when the server sends it: the code an admin must quote to support.
        if report.message and "ErrorReport:" in report.message:
            error = report.message
    return Observation(
        status=status,
        canvas_state=report.status,
        percent=float(report.progress) if report.progress is not None else None,
        current_line=report.current_line,
        file=file_info(report.attachment) if report.attachment is not None else None,
        error=error,
        payload=dump(report),
        report_id=report.id,
    )


def from_course_report(report: CourseReport) -> Observation:
    status = from_report_state(report.status)
    return Observation(
        status=status,
        canvas_state=report.status,
        percent=float(report.progress) if report.progress is not None else None,
        file=file_info(report.attachment) if report.attachment is not None else None,
        error=N_("Canvas reported an error.") if status is JobStatus.FAILED else None,
        payload=dump(report),
        report_id=report.id,
    )


def from_quiz_report(report: QuizReport, progress: Progress | None) -> Observation:
    """A classic quiz report: the file decides ``complete``; otherwise its Progress does."""
    payload = dump(report)
    if report.file is not None:
        return Observation(
            status=JobStatus.COMPLETE,
            canvas_state="completed",
            percent=100.0,
            file=file_info(report.file),
            payload=payload,
            report_id=report.id,
        )
    if progress is None:
        # Neither file nor Progress: the generation was aborted or the file removed.
        return Observation(
            status=JobStatus.ABORTED,
            canvas_state="none",
            payload=payload,
            report_id=report.id,
        )
    status = from_progress_state(progress.workflow_state)
    if status is JobStatus.COMPLETE:
        # Progress done but the file not yet attached: keep polling.
        status = JobStatus.RUNNING
    return Observation(
        status=status,
        canvas_state=progress.workflow_state,
        percent=progress.completion,
        error=(progress.message or N_("Canvas could not generate the report."))
        if status is JobStatus.FAILED
        else None,
        payload={**payload, "progress": dump(progress)},
        report_id=report.id,
        progress_id=progress.id,
    )


def from_progress(progress: Progress, file: File | None) -> Observation:
    """A New Quizzes report: its Progress, plus the file once ``results`` names one.

    The file is checked even while the Progress says ``running``, because New Quizzes
    Progress is known to stick there after the report exists (canvas-lms#2488).
    """
    status = from_progress_state(progress.workflow_state)
    if file is not None and status in {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETE}:
        status = JobStatus.COMPLETE
    elif status is JobStatus.COMPLETE:
        status = JobStatus.RUNNING
    return Observation(
        status=status,
        canvas_state=progress.workflow_state,
        percent=100.0 if status is JobStatus.COMPLETE else progress.completion,
        file=file_info(file) if file is not None else None,
        error=(progress.message or N_("Canvas could not generate the report."))
        if status is JobStatus.FAILED
        else None,
        payload=dump(progress),
        progress_id=progress.id,
    )


def result_file_id(progress: Progress) -> int | None:
    """The file id in a New Quizzes Progress ``results.url`` (``.../files/<id>/...``)."""
    results = progress.results or {}
    file_id = results.get("file_id")
    if isinstance(file_id, int):
        return file_id
    url = results.get("url")
    if not isinstance(url, str):
        return None
    match = _FILE_ID.search(url)
    return int(match.group(1)) if match else None


def progress_id_from_url(url: str | None) -> int | None:
    if not url:
        return None
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return parse_id(tail)


def require_id(value: int | None, what: str) -> int:
    if value is None:
        raise ToolError(f"This job has no Canvas {what}.")
    return value


def fetch(client: CanvasClient, job: Job) -> Observation:
    """Ask Canvas about ``job`` (one to three calls, depending on the family).

    Raises:
        CanvasError: the subclasses the client raises (not found, throttled, ...).
    """
    family = Family(job.family)
    if family is Family.ACCOUNT:
        return from_account_report(
            client.get_account_report(
                require_id(job.canvas_account_id, "account"),
                job.report_type,
                require_id(job.canvas_report_id, "report"),
            )
        )
    if family is Family.COURSE:
        return from_course_report(
            client.get_course_report(
                require_id(job.canvas_course_id, "course"),
                job.report_type,
                require_id(job.canvas_report_id, "report"),
            )
        )
    if family is Family.QUIZ:
        report = client.get_quiz_report(
            require_id(job.canvas_course_id, "course"),
            require_id(job.canvas_quiz_id, "quiz"),
            require_id(job.canvas_report_id, "report"),
        )
        progress = None
        if report.file is None:
            progress_id = progress_id_from_url(report.progress_url)
            if progress_id is not None:
                progress = client.get_progress(progress_id)
        return from_quiz_report(report, progress)
    progress = client.get_progress(require_id(job.canvas_progress_id, "progress"))
    file = None
    file_id = result_file_id(progress)
    if file_id is not None:
        try:
            file = client.get_file(file_id)
        except CanvasNotFound:
            file = None
    return from_progress(progress, file)


def apply(job: Job, seen: Observation, now: datetime, policy: PollPolicy) -> None:
    """Fold an observation into ``job``: fields, status (via the state machine), next poll."""
    moved = (seen.percent is not None and seen.percent != job.percent) or (
        seen.current_line is not None and seen.current_line != job.current_line
    )
    if moved or seen.status.value != job.status:
        job.progress_changed_at = now
    if seen.percent is not None:
        job.percent = max(0.0, min(100.0, seen.percent))
    if seen.current_line is not None:
        job.current_line = seen.current_line
    if seen.report_id is not None:
        job.canvas_report_id = seen.report_id
    if seen.progress_id is not None:
        job.canvas_progress_id = seen.progress_id
    if seen.file is not None:
        job.file_id = seen.file.id
        job.file_name = seen.file.name
        job.file_size = seen.file.size
        job.file_content_type = seen.file.content_type
        job.file_url = seen.file.url
    job.error = seen.error
    job.canvas_state = seen.canvas_state
    job.last_payload = seen.payload
    job.updated_at = now
    target = seen.status
    if target in LIVE and policy.stalled(job.family, job.progress_changed_at, now):
        target = JobStatus.STALE
    current = status_of(job)
    if current is JobStatus.STALE and target is JobStatus.QUEUED:
        target = JobStatus.RUNNING
    if current is JobStatus.RUNNING and target is JobStatus.QUEUED:
        target = JobStatus.RUNNING  # Canvas never goes back; ignore a lagging replica
    move(job, target, now, detail=f"Canvas: {seen.canvas_state}")
    if status_of(job) in LIVE:
        job.next_poll_at = policy.next_poll_at(job.started_at, now)
