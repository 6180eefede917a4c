"""Blueprint: scheduled recurring reports (docs/schedules.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import available_timezones

from flask import Blueprint, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.canvas.errors import CanvasError
from app.db import request_session
from app.errors import BadRequest
from app.extensions import current_now
from app.models.job import Job
from app.models.schedule import Schedule
from app.reports import audit, canvas_cache, overview
from app.reports.diff import runs as diff_runs
from app.reports.schedules import manage
from app.reports.schedules.cadence import Cadence
from app.reports.service import CatalogueEntry
from app.web.auth import launch_required, launch_url
from app.web.reports import current_judge
from app.web.reports.common import _form_values

bp = Blueprint("schedules", __name__)
WEEKDAYS = ("0", "1", "2", "3", "4", "5", "6")


def _entry(report_type: str) -> CatalogueEntry:
    judge = current_judge()
    return overview.cached_catalogue_entry(
        judge.client(), judge.launch, canvas_cache.current_cache(), report_type
    )


def _account_zone() -> str:
    """The account's time zone in Canvas (the form's default), UTC if Canvas has none."""
    launch = current_judge().launch
    if launch.canvas_account_id is None:
        return "UTC"
    try:
        account = current_judge().client().get_account(launch.canvas_account_id)
    except CanvasError:
        return "UTC"
    return account.default_time_zone or "UTC"


def _form_page(
    entry: CatalogueEntry,
    form: manage.ScheduleForm,
    *,
    schedule: Schedule | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "schedules/form.html",
            entry=entry,
            form=form,
            schedule=schedule,
            zones=sorted(available_timezones()),
            weekdays=WEEKDAYS,
        ),
        status,
    )


@bp.get("/schedules")
@launch_required
def index() -> ResponseReturnValue:
    schedules = manage.visible(request_session(), current_judge())
    return render_template("schedules/list.html", schedules=schedules)


@bp.get("/schedules/new/<report_type>")
@launch_required
def new(report_type: str) -> ResponseReturnValue:
    entry = _entry(report_type)
    defaults = {"cadence": "weekly", "time": "06:00", "weekday": "1", "day": "1",
                "time_zone": _account_zone()}  # fmt: skip
    return _form_page(entry, manage.ScheduleForm(values=defaults))


@bp.post("/schedules/new/<report_type>")
@launch_required
def create(report_type: str) -> ResponseReturnValue:
    entry = _entry(report_type)
    parsed = manage.parse_form(entry.report, entry.params, _form_values())
    if isinstance(parsed, manage.ScheduleForm):
        return _form_page(entry, parsed, status=400)
    session, launch, now = request_session(), current_judge().launch, current_now()
    schedule = manage.create(session, launch, entry, parsed, now)
    audit.record(session, launch, audit.Action.SCHEDULE, now,
                 detail=f"schedule #{schedule.id}: {entry.report} {schedule.cron} "
                        f"{schedule.time_zone}")  # fmt: skip
    session.commit()
    return redirect(launch_url("schedules.show", schedule_id=schedule.id), 303)


def _runs(schedule: Schedule) -> list[tuple[object, Job | None, Job | None]]:
    """Each run, newest first, with its job and the previous run's job to diff with."""
    session = request_session()
    judge = current_judge()
    ids = [run.job_id for run in schedule.runs if run.job_id is not None]
    jobs = {job.id: job for job in judge.visible(
        session.query(Job).filter(Job.id.in_(ids)).all())} if ids else {}  # fmt: skip
    rows: list[tuple[object, Job | None, Job | None]] = []
    previous: Job | None = None
    for run in schedule.runs:  # oldest first
        job = jobs.get(run.job_id) if run.job_id is not None else None
        comparable = previous if (
            job is not None and previous is not None
            and diff_runs.comparable(job) and diff_runs.comparable(previous)
        ) else None  # fmt: skip
        rows.append((run, job, comparable))
        if job is not None and diff_runs.comparable(job):
            previous = job
    return list(reversed(rows))


@bp.get("/schedules/<int:schedule_id>")
@launch_required
def show(schedule_id: int) -> ResponseReturnValue:
    judge = current_judge()
    schedule = manage.get_visible(request_session(), judge, schedule_id)
    return render_template(
        "schedules/show.html",
        schedule=schedule,
        runs=_runs(schedule),
        owner=schedule.owner_user_id == judge.launch.canvas_user_id,
        local=_local,
    )


def _local(schedule: Schedule, moment: datetime | None) -> str:
    if moment is None:
        return ""
    zone = Cadence(schedule.cadence, schedule.cron, schedule.time_zone).zone
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


@bp.get("/schedules/<int:schedule_id>/edit")
@launch_required
def edit(schedule_id: int) -> ResponseReturnValue:
    judge = current_judge()
    schedule = manage.get_visible(request_session(), judge, schedule_id)
    manage.require_owner(judge, schedule)
    form = manage.ScheduleForm(values=manage.form_values(schedule))
    return _form_page(_entry(schedule.report_type), form, schedule=schedule)


@bp.post("/schedules/<int:schedule_id>/edit")
@launch_required
def save(schedule_id: int) -> ResponseReturnValue:
    judge, session = current_judge(), request_session()
    schedule = manage.get_visible(session, judge, schedule_id)
    manage.require_owner(judge, schedule)
    entry = _entry(schedule.report_type)
    parsed = manage.parse_form(entry.report, entry.params, _form_values())
    if isinstance(parsed, manage.ScheduleForm):
        return _form_page(entry, parsed, schedule=schedule, status=400)
    manage.update(schedule, parsed, current_now())
    session.commit()
    return redirect(launch_url("schedules.show", schedule_id=schedule.id), 303)


@bp.post("/schedules/<int:schedule_id>/<action>")
@launch_required
def act(schedule_id: int, action: str) -> ResponseReturnValue:
    if action not in {"pause", "resume", "delete"}:
        raise BadRequest(_("Unknown action."))
    judge, session, now = current_judge(), request_session(), current_now()
    schedule = manage.get_visible(session, judge, schedule_id)
    manage.require_owner(judge, schedule)
    if action == "delete":
        if request.form.get("confirm") != "yes":
            raise BadRequest(_("Confirm that the schedule should be deleted."))
        session.delete(schedule)
        audit.record(session, judge.launch, audit.Action.SCHEDULE, now,
                     detail=f"schedule #{schedule_id} deleted")  # fmt: skip
        session.commit()
        return redirect(launch_url("schedules.index"), 303)
    if action == "resume":
        judge.client()  # the owner's token: none → authorize in place, then resume
    manage.act(schedule, action, now)
    session.commit()
    return redirect(launch_url("schedules.show", schedule_id=schedule.id), 303)
