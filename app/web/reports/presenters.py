"""How jobs are shown: status labels, the job JSON the pages poll, sizes, percents,
per-job links, and the Jinja globals the report templates use."""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    g,
    has_request_context,
    request,
    url_for,
)

from app.i18n import translate_known
from app.models.job import Job
from app.reports import (
    actions,
    labels,
)
from app.reports.kinds import Family
from app.reports.status import FINISHED, LABELS, JobStatus
from app.web.auth import launch_url
from app.web.report_display import elapsed_seconds, elapsed_text, job_phase, notice_text


def status_label(status: str) -> str:
    """The status in the request's language (remembered per request: a page of 50 jobs
    asks for the same few labels again and again)."""
    known: dict[str, str] | None = (
        g.setdefault("report_status_labels", {}) if has_request_context() else None
    )
    if known is not None and status in known:
        return known[status]
    label = LABELS.get(JobStatus(status))
    text = str(label) if label is not None else status
    if known is not None:
        known[status] = text
    return text


def _page_notice() -> str:
    return notice_text(request.args.get("notice"))


def job_json(row: Job) -> dict[str, Any]:
    """What pages need to redraw a job (no Canvas URLs, no tokens, no report contents)."""
    finished = JobStatus(row.status) in FINISHED
    phase, phase_label = job_phase(row, status_label)
    return {
        "phase": phase,
        "phase_label": phase_label,
        "elapsed_seconds": elapsed_seconds(row),
        "id": row.id,
        "title": row.title,
        "family": row.family,
        "report_type": row.report_type,
        "status": row.status,
        "status_label": status_label(row.status),
        "starting": row.status == JobStatus.STARTING.value,
        "percent": round(row.percent, 1),
        "current_line": row.current_line,
        "file_name": row.file_name,
        "file_size": row.file_size,
        "error": translate_known(row.error) or None,
        "finished": finished,
        "group_key": row.group_key,
        "can_abort": actions.can_abort(row),
        "can_delete": actions.can_delete(row),
        "can_retry": actions.can_retry(row),
        "download_url": launch_url("reports.download", job_id=row.id)
        if row.status == JobStatus.COMPLETE.value and row.file_url
        else None,
        "insights_url": launch_url("insights.job", job_id=row.id)
        if row.status == JobStatus.COMPLETE.value
        and row.family in (Family.QUIZ.value, Family.NEW_QUIZ.value)
        else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def report_percent(percent: float) -> str:
    """``42.5`` / ``100``: the same text reports.js writes into ``aria-valuenow``."""
    return f"{round(percent, 1):g}"


class JobLinks:
    """The per-job links of a table of jobs: ``url_for`` once per kind of link, not per row.

    A page of 50 jobs needs five links per job that differ only in the job id, and building
    each with werkzeug cost more than the rest of the row. Each link is built once for a
    marker id and the row's id is put in its place: the int converter writes ``str(id)``,
    so the result is exactly what ``url_for``/``launch_url`` give (checked in tests); when
    the marker is not found exactly once the link is built the usual way.
    """

    _MARKER = 7_406_318_295_140_763_829  # a valid id (below 2**63) no real URL contains

    def __init__(self) -> None:
        self._patterns: dict[tuple[str, bool, str], tuple[str, str] | None] = {}

    def _link(self, endpoint: str, job_id: int, *, with_token: bool, action: str = "") -> str:
        build = launch_url if with_token else url_for
        extra: dict[str, Any] = {"action": action} if action else {}
        key = (endpoint, with_token, action)
        if key not in self._patterns:
            parts = build(endpoint, job_id=self._MARKER, **extra).split(str(self._MARKER))
            self._patterns[key] = (parts[0], parts[1]) if len(parts) == 2 else None
        pattern = self._patterns[key]
        if pattern is None:
            return build(endpoint, job_id=job_id, **extra)
        return f"{pattern[0]}{int(job_id)}{pattern[1]}"

    def page(self, job_id: int) -> str:
        """``launch_url('reports.job', job_id=...)``."""
        return self._link("reports.job", job_id, with_token=True)

    def download(self, job_id: int) -> str:
        """``launch_url('reports.download', job_id=...)``."""
        return self._link("reports.download", job_id, with_token=True)

    def insights(self, job_id: int) -> str:
        """``launch_url('insights.job', job_id=...)``."""
        return self._link("insights.job", job_id, with_token=True)

    def action(self, job_id: int, action: str) -> str:
        """``url_for('reports.job_action', job_id=..., action=...)`` (forms carry ``lt``)."""
        return self._link("reports.job_action", job_id, with_token=False, action=action)


def _register_globals(app: Flask) -> None:
    app.jinja_env.globals.update(
        report_status_label=status_label,
        report_job_links=JobLinks,
        report_job_json=job_json,
        human_size=human_size,
        report_elapsed=lambda row: elapsed_text(elapsed_seconds(row)),
        report_percent=report_percent,
        report_can_abort=actions.can_abort,
        report_can_delete=actions.can_delete,
        report_can_retry=actions.can_retry,
        report_notice=_page_notice,
        report_param_label=labels.label_for,
        report_choice_label=labels.choice_label,
        report_sis_tables=labels.SIS_TABLES,
        report_table_reports=labels.TABLE_REPORTS,
        report_phase=lambda row: job_phase(row, status_label),
        Family=Family,
    )
