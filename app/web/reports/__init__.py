"""Blueprint ``reports``: report pages under ``/reports/...`` and the live-progress JSON under
``/api/jobs``.

Views parse input, call one service, commit, schedule the worker, render:
``common`` (the blueprint and what views share), ``pages`` (catalogue, forms, course and quiz
pages, start requests), ``jobs`` (one job, its actions and downloads, the JSON the pages
poll), ``presenters`` (labels, JSON, links, template globals).
"""

from flask import Flask
from flask.blueprints import BlueprintSetupState

from app.web.reports import jobs, pages  # noqa: F401 - their routes register on ``bp``
from app.web.reports.common import START_CHECK_SECONDS, bp, content_disposition, current_judge
from app.web.reports.presenters import (
    JobLinks,
    _register_globals,
    human_size,
    job_json,
    report_percent,
    status_label,
)


@bp.record_once
def _register_template_globals(state: BlueprintSetupState) -> None:
    if isinstance(state.app, Flask):
        _register_globals(state.app)


__all__ = [
    "START_CHECK_SECONDS",
    "JobLinks",
    "bp",
    "content_disposition",
    "current_judge",
    "human_size",
    "job_json",
    "report_percent",
    "status_label",
]
