"""Course report (``course_pace_docx``) generation, driven by the store clock.

Canvas runs ``progress.process_job(report, :run_report)``: the Progress goes queued →
running → completed, the report created → running (``start_at``) → complete (file,
``end_at``) or error (``message``, progress failed). Same timing as account reports:
running from 10 % of ``settings.report_seconds``, done at 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator import faults
from emulator.reports import course_pace_docx, ticker
from emulator.state import Emulator
from emulator.store import CourseReport, Progress, create_attachment

START_FRACTION = 0.1
STUCK_COMPLETION = 40.0


@dataclass
class CourseLifecycle:
    fates: dict[int, str | None] = field(default_factory=dict)  # pending report id → fate


def state(emulator: Emulator) -> CourseLifecycle:
    current: CourseLifecycle = emulator.parts.setdefault("course_reports", CourseLifecycle())
    return current


def register(emulator: Emulator, report: CourseReport) -> None:
    fate = faults.report_fate(emulator, "course_report", report.report_type)
    with emulator.store.lock:
        state(emulator).fates[report.id] = fate
    ticker.register_family(emulator, "course_report", advance_all)


def advance(emulator: Emulator, report: CourseReport) -> None:
    store = emulator.store
    with store.lock:
        lifecycle = state(emulator)
        if report.id not in lifecycle.fates:
            return
        fate = lifecycle.fates[report.id]
        progress = store.progresses[report.progress_id]
        now = store.now()
        duration = max(emulator.settings.report_seconds, 0.001)
        started = report.created_at + timedelta(seconds=duration * START_FRACTION)
        finished = report.created_at + timedelta(seconds=duration)
        if now < started:
            return
        if report.workflow_state == "created":
            report.workflow_state = "running"
            report.start_at = started
            _progress_state(progress, "running", 0.0, started)
        if fate == "stick":
            _progress_state(progress, progress.workflow_state, STUCK_COMPLETION, now)
            return
        if now < finished:
            fraction = (now - started).total_seconds() / (duration * (1 - START_FRACTION))
            _progress_state(progress, progress.workflow_state,
                            round(min(99.0, fraction * 100), 1), now)
            return
        _finish(emulator, report, progress, fate, finished)
        lifecycle.fates.pop(report.id, None)


def _progress_state(progress: Progress, workflow_state: str, completion: float | None,
                    at: datetime) -> None:
    if progress.workflow_state in ("failed", "completed", "canceled"):
        return  # cancelled (failed) progresses stay as the canceller left them
    progress.workflow_state = workflow_state
    progress.completion = completion
    progress.updated_at = at


def _finish(emulator: Emulator, report: CourseReport, progress: Progress, fate: str | None,
            at: datetime) -> None:
    store = emulator.store
    report.end_at = at
    if fate == "fail":
        error_id = faults.next_error_report_id(emulator)
        report.workflow_state = "error"
        report.message = f"Unexpected error, ID: {error_id}"
        if progress.workflow_state not in ("failed", "completed"):
            progress.workflow_state = "failed"
            progress.message = f"Unexpected error, ID: {error_id}"
            progress.updated_at = at
        return
    course = store.courses[report.course_id]
    data = course_pace_docx.build(store, course, report.parameters)
    name = f"{course.name} Course Pace.docx"
    attachment = create_attachment(store, "CourseReport", report.id, name, name,
                                   course_pace_docx.DOCX_CONTENT_TYPE, data, report.user_id)
    report.attachment_id = attachment.id
    report.workflow_state = "complete"
    if progress.workflow_state not in ("failed", "completed"):
        progress.workflow_state = "completed"
        progress.completion = 100.0
        progress.updated_at = at


def advance_all(emulator: Emulator) -> bool:
    """Advance every pending report; True if any is still pending."""
    return ticker.advance_pending(emulator, state(emulator).fates,
                                  emulator.store.course_reports, advance)


def refresh_progress(emulator: Emulator, progress: Progress) -> None:
    """Progress API hook: advance the course report behind a ``CourseReport`` progress."""
    if progress.context_type == "CourseReport":
        report = emulator.store.course_reports.get(progress.context_id)
        if report is not None:
            advance(emulator, report)
