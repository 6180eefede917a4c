"""Creating, editing, listing and acting on schedules, as Canvas lets the viewer.

- Creating: any account report the viewer may start (Canvas's catalogue for the viewer
  lists it), with the form's cadence and parameters (fixed or relative).
- Seeing: the owner; and admins, for every schedule of an account or sub-account whose
  reports Canvas lets them read (``GET /accounts/:id/reports`` and the sub-accounts Canvas
  lists for them).
- Acting (pause, resume, edit, delete): the owner only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import BadRequest, NotFound
from app.models.launch import Launch
from app.models.schedule import Schedule
from app.reports.kinds import Family, FormErrors, ParamKind, ParamSpec, validate
from app.reports.rights import Judge, readable_accounts, refuse
from app.reports.schedules import cadence, relative
from app.reports.schedules.runner import ACTIVE, BY_OWNER, pause, resume
from app.reports.service import CatalogueEntry

FIXED = "fixed"
DATE_CHOICES = ("fixed", "today", "days_ago", "month_start", "last_month_start")


@dataclass
class ScheduleForm:
    """The submitted fields and a message per wrong field (shown in place)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Parsed:
    cadence: cadence.Cadence
    parameters: dict[str, Any]


def form_values(schedule: Schedule) -> dict[str, str]:
    """The form fields that reproduce ``schedule`` (for editing)."""
    minute, hour, day, _month, weekday = schedule.cron.split()
    values = {
        "cadence": schedule.cadence,
        "time_zone": schedule.time_zone,
        "cron": schedule.cron,
        "time": f"{int(hour):02d}:{int(minute):02d}" if hour.isdigit() and minute.isdigit() else "",
        "weekday": weekday,
        "day": day,
    }
    for name, value in schedule.parameters.items():
        if isinstance(value, str) and value.startswith("@days_ago:"):
            values[f"r_{name}"], values[f"n_{name}"] = "days_ago", value.split(":", 1)[1]
        elif relative.is_relative(value):
            values[f"r_{name}"] = str(value)[1:]
        elif value is True:
            values[f"p_{name}"] = "1"
        elif isinstance(value, list):
            values[f"p_{name}"] = ",".join(str(item) for item in value)
        else:
            values[f"p_{name}"] = str(value)
    return values


def parse_form(
    report: str, specs: Sequence[ParamSpec], form: Mapping[str, str]
) -> Parsed | ScheduleForm:
    """A valid cadence and parameters, or the form with a message per wrong field.

    Fixed values go through the report forms' own validation (``kinds.validate``), so a
    schedule refuses exactly what a start would; relative ones through ``relative``.
    """
    state = ScheduleForm(values=dict(form))
    try:
        parsed_cadence = cadence.parse(dict(form))
    except cadence.CadenceError as error:
        state.errors[error.field] = error.message
        parsed_cadence = None
    fixed: dict[str, str] = {}
    rel: dict[str, Any] = {}
    for spec in specs:
        choice = form.get(f"r_{spec.name}", FIXED)
        if spec.kind is ParamKind.DATE and choice != FIXED:
            try:
                rel[spec.name] = relative.date_token(choice, form.get(f"n_{spec.name}", ""))
            except relative.RelativeError as error:
                state.errors[f"p_{spec.name}"] = error.message
        elif spec.kind is ParamKind.TERM and choice == "current_term":
            rel[spec.name] = relative.CURRENT_TERM
        elif f"p_{spec.name}" in form:
            fixed[f"p_{spec.name}"] = form[f"p_{spec.name}"]
    fixed_specs = [spec for spec in specs if spec.name not in rel]
    try:
        parameters = {**validate(report, fixed_specs, fixed), **rel}
    except FormErrors as error:
        for field_name, message in error.errors.items():
            state.errors.setdefault(field_name, message)
        parameters = {}
    if not any(name.startswith("p_") for name in state.errors):
        try:
            relative.check(parameters)
        except relative.RelativeError as error:
            state.errors[f"p_{error.field}"] = error.message
    if state.errors or parsed_cadence is None:
        return state
    return Parsed(parsed_cadence, parameters)


def create(
    session: Session,
    launch: Launch,
    entry: CatalogueEntry,
    parsed: Parsed,
    now: datetime,
) -> Schedule:
    """A new active schedule owned by the viewer (the caller commits)."""
    if launch.canvas_user_id is None or launch.canvas_account_id is None:
        raise BadRequest(_("Only an account launch by a known user can schedule reports."))
    schedule = Schedule(
        platform_id=launch.platform_id,
        owner_user_id=launch.canvas_user_id,
        owner_name=launch.user_name,
        family=Family.ACCOUNT.value,
        report_type=entry.report,
        title=entry.title,
        canvas_account_id=launch.canvas_account_id,
        parameters=parsed.parameters,
        cadence=parsed.cadence.kind,
        cron=parsed.cadence.cron,
        time_zone=parsed.cadence.time_zone,
        status=ACTIVE,
        next_run_at=parsed.cadence.next_after(now),
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    session.flush()
    return schedule


def update(schedule: Schedule, parsed: Parsed, now: datetime) -> None:
    """New cadence and parameters; the next run follows the new cadence."""
    schedule.parameters = parsed.parameters
    schedule.cadence, schedule.cron = parsed.cadence.kind, parsed.cadence.cron
    schedule.time_zone = parsed.cadence.time_zone
    schedule.updated_at = now
    if schedule.status == ACTIVE:
        schedule.next_run_at = parsed.cadence.next_after(now)


def visible(session: Session, judge: Judge) -> list[Schedule]:
    """The viewer's own schedules, and (account launches) every schedule of the accounts
    Canvas lets them read reports of; newest first."""
    launch = judge.launch
    mine = Schedule.owner_user_id == launch.canvas_user_id
    condition = mine
    if launch.context_type == "account" and launch.canvas_account_id is not None:
        accounts = readable_accounts(judge.client(), launch.canvas_account_id)
        if accounts:
            condition = or_(mine, Schedule.canvas_account_id.in_(accounts))
    return list(
        session.scalars(
            select(Schedule)
            .where(Schedule.platform_id == launch.platform_id, condition)
            .order_by(Schedule.created_at.desc(), Schedule.id.desc())
        )
    )


def get_visible(session: Session, judge: Judge, schedule_id: int) -> Schedule:
    """Raises: NotFound (not in this platform); CanvasDenied (Canvas refuses the viewer)."""
    launch = judge.launch
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or schedule.platform_id != launch.platform_id:
        raise NotFound(_("No such schedule."))
    if schedule.owner_user_id == launch.canvas_user_id:
        return schedule
    account = launch.canvas_account_id
    readable = (
        readable_accounts(judge.client(), account)
        if launch.context_type == "account" and account is not None
        else []
    )
    if schedule.canvas_account_id not in readable:
        refuse(session, launch, judge.now, detail=f"schedule #{schedule.id}")
    return schedule


def require_owner(judge: Judge, schedule: Schedule) -> None:
    """Raises: CanvasDenied-like 403 for anyone but the owner."""
    if schedule.owner_user_id != judge.launch.canvas_user_id:
        refuse(
            judge.session,
            judge.launch,
            judge.now,
            _("Only the person who created this schedule can change it."),
            detail=f"schedule #{schedule.id} belongs to someone else",
        )


def act(schedule: Schedule, action: str, now: datetime) -> None:
    """Pause or resume (delete is the caller's ``session.delete``).

    Raises:
        BadRequest: an unknown action.
    """
    if action == "pause":
        pause(schedule, BY_OWNER, "Paused by its owner.")
    elif action == "resume":
        resume(schedule, now)
    else:
        raise BadRequest(_("Unknown action."))
