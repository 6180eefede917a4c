"""The background job behind a quiz report's Progress, driven lazily by the emulator clock.

Canvas runs ``__process_csv_job`` in a delayed job: the Progress is ``queued``, turns
``running`` when the job starts, its ``completion`` jumps to the rounded percent each time
the generator crosses a new 10 % step (``QuizStatistics#update_progress(i, n)`` before row
``i`` of ``n``), then ``completed`` (100) with the file, or ``failed`` with
``Unexpected error, ID: <id>``. The emulator has no job runner: whenever anything looks at a
progress (the report endpoints, ``GET /api/v1/progress/:id``) ``advance`` works out where the
job would be *now*, so nobody has to poll for time to pass.

Timeline over ``settings.report_seconds`` (T) from the progress's ``created_at``: queued for
the first 10 % of T, then rows are processed evenly, done at T. A ``stick`` fault keeps it
running (completion stops at the last step); a ``fail`` fault fails it at T.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from emulator import faults
from emulator.reports.quiz_format import ruby_round
from emulator.state import Emulator
from emulator.store import Attachment, Progress, create_attachment

Fate = Literal["complete", "fail", "stick"]
QUEUE_SHARE = 0.1
STEP = 10


@dataclass(frozen=True)
class FileSpec:
    """What the finished job stores as an Attachment."""

    context_type: str
    context_id: int
    display_name: str
    filename: str
    content_type: str
    data: bytes
    user_id: int | None = None


@dataclass
class QuizJob:
    progress_id: int
    created_at: datetime
    rows: int  # n of update_progress(i, n)
    fate: Fate
    build: Callable[[], FileSpec]
    on_complete: Callable[[Attachment], None]
    results: Callable[[Attachment], dict[str, object]] | None = None


def jobs(emulator: Emulator) -> dict[int, QuizJob]:
    table: dict[int, QuizJob] = emulator.parts.setdefault("quiz_jobs", {})
    return table


def fate_for(emulator: Emulator, family: str, key: str) -> Fate:
    """Consult the fault registry once, when the job is enqueued."""
    return faults.report_fate(emulator, family, key) or "complete"


def enqueue(emulator: Emulator, progress: Progress, job: QuizJob) -> None:
    with emulator.store.lock:
        jobs(emulator)[progress.id] = job


def forget(emulator: Emulator, progress_id: int) -> None:
    """Drop the job (its progress was destroyed: abort, regeneration, reset)."""
    with emulator.store.lock:
        jobs(emulator).pop(progress_id, None)


def completion_after(calls: int, rows: int, start: float = 0) -> tuple[float, int | None]:
    """Completion after ``update_progress(i, rows)`` for ``i < calls``; also the last ``i``
    that changed it (None: no change)."""
    completion = start
    changed: int | None = None
    for i in range(min(calls, rows)):
        percent = ruby_round(i / rows * 100)
        if percent // STEP > completion // STEP:
            completion = percent
            changed = i
    return completion, changed


def advance(emulator: Emulator, progress: Progress) -> None:
    """Bring ``progress`` (and its job) up to the emulator's current time."""
    store = emulator.store
    with store.lock:
        job = jobs(emulator).get(progress.id)
        if job is None or job.created_at != progress.created_at:
            return
        if progress.workflow_state not in ("queued", "running"):
            return
        total = max(emulator.settings.report_seconds, 0.0)
        queue = total * QUEUE_SHARE
        elapsed = (store.now() - job.created_at).total_seconds()
        if total > 0 and elapsed < queue:
            return
        if job.fate == "stick" or elapsed < total:
            _run_until(progress, job, elapsed, queue, total)
            return
        _finish(emulator, progress, job, job.created_at + timedelta(seconds=total))


def _run_until(progress: Progress, job: QuizJob, elapsed: float, queue: float,
               total: float) -> None:
    span = max(total - queue, 1e-9)
    fraction = min(max((elapsed - queue) / span, 0.0), 1.0)
    calls = min(job.rows, math.floor(fraction * job.rows) + 1) if job.rows else 0
    if job.fate == "stick":
        calls = job.rows if fraction >= 1 else calls
    if progress.workflow_state == "queued":
        progress.workflow_state = "running"
        progress.updated_at = job.created_at + timedelta(seconds=queue)
    completion, changed = completion_after(calls, job.rows)
    if changed is not None and completion != progress.completion:
        progress.completion = completion
        at = queue + changed / job.rows * span
        progress.updated_at = job.created_at + timedelta(seconds=at)


def _finish(emulator: Emulator, progress: Progress, job: QuizJob, at: datetime) -> None:
    if job.fate == "fail":
        completion, _ = completion_after(job.rows, job.rows)
        progress.completion = completion
        progress.workflow_state = "failed"
        progress.message = f"Unexpected error, ID: {faults.next_error_report_id(emulator)}"
        progress.updated_at = at
        return
    spec = job.build()
    attachment = create_attachment(
        emulator.store, spec.context_type, spec.context_id, spec.display_name, spec.filename,
        spec.content_type, spec.data, spec.user_id)
    attachment.created_at = at
    job.on_complete(attachment)
    progress.completion = 100
    progress.workflow_state = "completed"
    progress.updated_at = at
    if job.results is not None:
        progress.results = dict(job.results(attachment))
    jobs(emulator).pop(progress.id, None)


def refresh_hook(emulator: Emulator, progress: Progress) -> None:
    """Registered with ``emulator.api.progress.refresh_hooks`` for ``GET /api/v1/progress``."""
    advance(emulator, progress)


def reset_hook(emulator: Emulator) -> None:
    """Registered in ``emulator.parts["reset_hooks"]``: a reseed forgets every job."""
    jobs(emulator).clear()
