"""One job: its page, its actions (abort, delete, retry), its downloads, and the
live-progress JSON (database only: any number of viewers costs Canvas nothing)."""

from __future__ import annotations

from flask import (
    jsonify,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.db import request_session
from app.errors import BadRequest, IllegalTransition
from app.extensions import current_now
from app.models.job import Job
from app.reports import (
    files,
    overview,
)
from app.reports.access import get_job, visible_jobs
from app.reports.status import FINISHED, LABELS, JobStatus
from app.web import inputs
from app.web.auth import launch_required, launch_url
from app.web.report_display import notice_text
from app.web.reports.common import (
    _ACTIONS,
    _back,
    _changes_canvas,
    _committed,
    _stream,
    _wants_json,
    bp,
    current_judge,
)
from app.web.reports.presenters import job_json

# ---------------------------------------------------------------- one job


@bp.get("/reports/jobs/<int:job_id>")
@launch_required
def job(job_id: int) -> ResponseReturnValue:
    session, judge = request_session(), current_judge()
    row = session.scalars(visible_jobs(judge.launch).where(Job.id == job_id)).one_or_none()
    if row is None:
        return render_template("reports/job_missing.html"), 404
    if not judge.owns(row):
        judge.require_view(row)
    group = overview.group_jobs(session, judge, row.group_key) if row.group_key else [row]
    return render_template("reports/job.html", job=row, group=group)


_CONFIRMED = frozenset({"abort", "delete"})


@bp.post("/reports/jobs/<int:job_id>/<action>")
@launch_required
@_changes_canvas
def job_action(job_id: int, action: str) -> ResponseReturnValue:
    # Every input is checked before the action changes anything (DB or Canvas).
    act = _ACTIONS.get(action)
    if act is None:
        raise BadRequest(_("Unknown action."))
    target = inputs.return_target()
    judge = current_judge()
    row = get_job(request_session(), judge.launch, job_id)
    judge.require_manage(row)
    if action in _CONFIRMED and request.form.get("confirm") != "1" and not _wants_json():
        # Without JavaScript (no dialog) abort and delete take a second, explicit step.
        return render_template("reports/confirm.html", job=row, action=action, next_url=target)
    try:
        row = act(request_session(), judge.client(), judge.launch, job_id, current_now())
    except IllegalTransition as refused:
        if action != "abort":
            raise
        # Lost the race (Canvas finished or moved on since the last poll): the refreshed
        # job is kept and shown where the user is, with what happened, not an error page.
        row = get_job(request_session(), judge.launch, job_id)
        notice = "finished" if JobStatus(row.status) in FINISHED else "not_abortable"
        _committed([row])
        if _wants_json():
            message = notice_text(notice) or refused.message
            body = {"error": refused.code, "message": message, "notice": notice}
            return jsonify({**body, "job": job_json(row)}), 409
        return _back(
            launch_url("reports.job", job_id=job_id, notice=notice),
            target,
            notice=f"{notice}&job={job_id}",
        )
    _committed([row])
    if _wants_json():
        return jsonify(job_json(row))
    return _back(launch_url("reports.job", job_id=job_id), target)


@bp.get("/reports/jobs/<int:job_id>/download")
@launch_required
def download(job_id: int) -> ResponseReturnValue:
    opened = files.open_job_file(request_session(), current_judge(), job_id, current_now())
    request_session().commit()
    return _stream(opened)


@bp.get("/reports/jobs/<int:job_id>/group.zip")
@launch_required
def download_group(job_id: int) -> ResponseReturnValue:
    opened = files.open_group_zip(request_session(), current_judge(), job_id, current_now())
    request_session().commit()
    return _stream(opened)


# ---------------------------------------------------------------- live progress (DB only)


def _ids(raw: str) -> list[int]:
    return inputs.id_list(raw)


@bp.get("/api/jobs")
@launch_required
def api_jobs() -> ResponseReturnValue:
    rows = overview.jobs_by_ids(
        request_session(), current_judge(), _ids(request.args.get("ids", ""))
    )
    return jsonify(jobs=[job_json(row) for row in rows])


@bp.get("/api/jobs/<int:job_id>")
@launch_required
def api_job(job_id: int) -> ResponseReturnValue:
    rows = overview.jobs_by_ids(request_session(), current_judge(), [job_id])
    if not rows:
        return jsonify(error="not_found", message=_("No such report job.")), 404
    return jsonify(job_json(rows[0]))


_LABELS = LABELS
