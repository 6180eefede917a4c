"""Blueprint: what changed between two runs of a report (page and CSV download).

The diff streams both files from Canvas through ``app.reports.diff``; the page shows the
counts and the first rows of each kind, the download holds every change.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, stream_with_context
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from app.db import request_session
from app.extensions import current_now
from app.insights.export import export_filename
from app.models.job import Job
from app.reports.diff import change_label, diff_csv, runs, sample
from app.web.auth import launch_required
from app.web.reports import content_disposition, current_judge

bp = Blueprint("diff", __name__)
SAMPLE_ROWS = 50


@bp.record_once
def _register_globals(state: BlueprintSetupState) -> None:
    if isinstance(state.app, Flask):
        state.app.jinja_env.globals.update(
            report_earlier_runs=_earlier_runs, report_change_label=change_label
        )


def _earlier_runs(job: Job) -> list[Job]:
    """For the job page: earlier runs the viewer may compare this one with."""
    return runs.earlier_runs(request_session(), current_judge(), job)


@bp.get("/reports/jobs/<int:job_id>/diff/<int:other_id>")
@launch_required
def page(job_id: int, other_id: int) -> ResponseReturnValue:
    session = request_session()
    new, old, diff = runs.open_diff(session, current_judge(), job_id, other_id, current_now())
    session.commit()
    shown = sample(diff, SAMPLE_ROWS)
    return render_template(
        "diff/page.html", new=new, old=old, diff=diff, shown=shown, limit=SAMPLE_ROWS
    )


@bp.get("/reports/jobs/<int:job_id>/diff/<int:other_id>.csv")
@launch_required
def download(job_id: int, other_id: int) -> ResponseReturnValue:
    session = request_session()
    new, old, diff = runs.open_diff(session, current_judge(), job_id, other_id, current_now())
    session.commit()
    name = export_filename(
        [new.title or new.report_type, f"changes #{old.id} to #{new.id}"],
        new.created_at.date().isoformat(),
    )
    response = Response(stream_with_context(diff_csv(diff)), mimetype="text/csv")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
