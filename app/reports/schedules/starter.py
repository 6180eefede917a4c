"""Starting a schedule's run as its owner, through the same start path as a click.

The run has no launch, so a transient ``Launch`` (never stored) carries the owner and the
schedule's context to the start service and the audit trail. Canvas is asked once, with the
owner's token, for the account's report catalogue: that answers both "does the report still
exist" and "does Canvas still let the owner run account reports" (a refusal pauses the
schedule). The job is then recorded as "starting" and the worker makes the Canvas call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound
from app.lti.roles import LIS
from app.models.job import Job
from app.models.launch import Launch
from app.models.schedule import Schedule
from app.reports import service
from app.reports.schedules.runner import Starter, TermFinder

ADMINISTRATOR = f"{LIS}/institution/person#Administrator"

#: ``client_for(session, platform_id, user_id)``: the owner's client (raises
#: CanvasAuthorizationRequired without a usable token).
ClientFor = Callable[[Session, int, int], CanvasClient]


def owner_launch(schedule: Schedule, now: datetime) -> Launch:
    """A launch-shaped carrier for the owner and the schedule's context (never stored)."""
    return Launch(
        id=f"schedule-{schedule.id}",
        platform_id=schedule.platform_id,
        deployment_id="",
        user_sub="",
        canvas_user_id=schedule.owner_user_id,
        user_name=schedule.owner_name,
        # Its owner launched from account navigation as an admin when they created it; the
        # role is only the services' hint, Canvas's answer to the owner's token decides.
        roles=[ADMINISTRATOR],
        canvas_roles=[],
        placement="schedule",
        context_type="account",
        context_title="",
        canvas_account_id=schedule.canvas_account_id,
        canvas_course_id=schedule.canvas_course_id,
        canvas_api_base_url="",
        claims={},
        created_at=now,
        expires_at=now + timedelta(minutes=5),
    )


def _form(parameters: dict[str, object]) -> dict[str, str]:
    """The start form's fields for concrete parameters (flags on as ``1``)."""
    form: dict[str, str] = {}
    for name, value in parameters.items():
        if value is False or value is None:
            continue
        if value is True:
            form[f"p_{name}"] = "1"
        elif isinstance(value, list):
            form[f"p_{name}"] = ",".join(str(item) for item in value)
        else:
            form[f"p_{name}"] = str(value)
    return form


def make_starter(client_for: ClientFor) -> Starter:
    def start(
        session: Session, schedule: Schedule, parameters: dict[str, object], now: datetime
    ) -> Sequence[Job]:
        launch = owner_launch(schedule, now)
        client = client_for(session, schedule.platform_id, schedule.owner_user_id)
        entry = service.catalogue_entry(client, launch, schedule.report_type)
        started = service.start_account_report(
            session, launch, entry=entry, form=_form(parameters), now=now
        )
        return started.jobs

    return start


def make_term_finder(client_for: ClientFor, session: Session) -> TermFinder:
    def current_term(schedule: Schedule, day: datetime) -> int | None:
        if schedule.canvas_account_id is None:
            return None
        client = client_for(session, schedule.platform_id, schedule.owner_user_id)
        try:
            terms = client.list_terms(schedule.canvas_account_id)
        except CanvasNotFound:
            return None
        for term in terms:
            starts, ends = term.start_at, term.end_at
            if starts is not None and ends is not None and starts <= day < ends:
                return term.id
        return None

    return current_term
