"""Streaming a report file through the tool after checking the launch may have it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotPermitted
from app.errors import NotFound
from app.models.job import Job
from app.models.launch import Launch
from app.reports import audit, rights
from app.reports.access import get_job, require_account_admin, visible_jobs
from app.reports.observe import file_info
from app.reports.rights import Judge
from app.reports.status import JobStatus


@dataclass
class JobFile:
    """An open download: headers first, then ``chunks`` (closing the Canvas response at the end)."""

    name: str
    size: int | None
    content_type: str
    chunks: Iterator[bytes]


def open_download(client: CanvasClient, url: str) -> Iterator[bytes]:
    """Open the Canvas download now (so errors surface before headers) and close it after."""
    stack = ExitStack()
    chunks = stack.enter_context(client.open_download(url))

    def generate() -> Iterator[bytes]:
        with stack:
            yield from chunks

    return generate()


def open_job_file(session: Session, judge: Judge, job_id: int, now: datetime) -> JobFile:
    """The job's file, if it is in the launch's context, Canvas lets the viewer read the
    report now (``judge``), and the file exists.

    Raises:
        NotFound: no such job in this context, or no file (yet); CanvasDenied: Canvas
        refused the viewer; CanvasAuthorizationRequired: no usable token.
    """
    launch = judge.launch
    job = get_job(session, launch, job_id)
    judge.require_view(job, fresh=True)
    if job.status != JobStatus.COMPLETE.value or not job.file_url:
        raise NotFound(_("This report has no file to download."))
    chunks = open_download(judge.client(), job.file_url)
    audit.record(session, launch, audit.Action.DOWNLOAD, now, job=job, detail=job.file_name or "")
    return JobFile(
        name=job.file_name or f"report-{job.id}",
        size=job.file_size,
        content_type=job.file_content_type or "application/octet-stream",
        chunks=chunks,
    )


def open_account_report_file(
    session: Session,
    client: CanvasClient,
    launch: Launch,
    *,
    report_type: str,
    report_id: int,
    now: datetime,
) -> JobFile:
    """A file of an account report the tool does not track (started in Canvas itself).

    Raises:
        NotAuthorized: not an admin of the launch's account; NotFound: no file;
        CanvasDenied: Canvas refused the viewer the report (audited).
    """
    account_id = require_account_admin(launch)
    try:
        report = client.get_account_report(account_id, report_type, report_id)
    except CanvasNotPermitted:
        rights.refuse(session, launch, now, detail=f"{report_type} #{report_id}")
    if report.attachment is None:
        raise NotFound(_("This report has no file to download."))
    info = file_info(report.attachment)
    chunks = open_download(client, info.url)
    audit.record(
        session,
        launch,
        audit.Action.DOWNLOAD,
        now,
        detail=f"{report_type} #{report_id}: {info.name}",
    )
    return JobFile(
        name=info.name,
        size=info.size,
        content_type=info.content_type or "application/octet-stream",
        chunks=chunks,
    )


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink whose bytes are taken out as they come (zip streaming)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts = []
        return out


def open_group_zip(session: Session, judge: Judge, job_id: int, now: datetime) -> JobFile:
    """The files of a split run (jobs sharing a group key) as one zip, in run order; Canvas
    must let the viewer read every report that goes in.

    The zip is streamed as it is built, member by member straight from Canvas: nothing is
    written to disk (no student data at rest, docs/privacy.md) and memory stays at a few
    chunks. Its size is therefore unknown in advance (no Content-Length).

    Raises:
        NotFound: no job in this context, not part of a group, or no finished file in it;
        CanvasDenied: Canvas refused the viewer one of them.
    """
    launch = judge.launch
    job = get_job(session, launch, job_id)
    if not job.group_key:
        raise NotFound(_("This report was not split into several runs."))
    members = [
        member
        for member in session.scalars(
            visible_jobs(launch).where(Job.group_key == job.group_key).order_by(Job.id)
        )
        if member.status == JobStatus.COMPLETE.value and member.file_url
    ]
    for member in members:
        judge.require_view(member, fresh=True)
    if not members:
        raise NotFound(_("None of these runs has a file yet."))
    client = judge.client()
    entries: list[tuple[str, str]] = []
    for index, member in enumerate(members, start=1):
        name = f"{index:02d}_{member.file_name or f'report-{member.id}'}"
        entries.append((name, member.file_url or ""))
        audit.record(session, launch, audit.Action.DOWNLOAD, now, job=member, detail=name)

    def stream() -> Iterator[bytes]:
        pipe = _Pipe()
        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, url in entries:
                with archive.open(name, "w") as entry, client.open_download(url) as chunks:
                    for chunk in chunks:
                        entry.write(chunk)
                        if out := pipe.take():
                            yield out
                yield pipe.take()
        yield pipe.take()

    return JobFile(
        name=f"{job.report_type}_{job.group_key[:8]}.zip",
        size=None,
        content_type="application/zip",
        chunks=stream(),
    )
