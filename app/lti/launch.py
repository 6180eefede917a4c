"""Step 3 and 4: validate the id_token Canvas posts and record the launch.

The tool owns the validation (lti-oauth.md 3.4; the IMS Security Framework 5.1.3): every
check pylti1p3's ``MessageLaunch.validate()`` makes, plus what it lacks: shared one-time
nonces bound to the state, ``azp``, clock leeway, JWKS refetch on an unknown ``kid``, and
browser binding through platform storage when no cookie came back. Nothing is written until
every check has passed; each failure is a ``LaunchError`` with its own message, and
``tests/security/test_invalid_launches.py`` covers each one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from app.errors import LaunchError, NotAuthorized
from app.i18n import N_
from app.lti import claims as c
from app.lti import login_state
from app.lti.adapters import state_cookie_matches
from app.lti.launch_checks import LaunchChecks
from app.lti.launch_state import StateStore, StoreLaunchDataStorage
from app.lti.platform_keys import PlatformKeySet
from app.lti.registrations import add_deployment
from app.lti.roles import may_use_placement
from app.lti.tool_conf import DbToolConf
from app.models.launch import Launch
from app.models.platform import Platform

PENDING_TTL_SECONDS = 120
USED_TTL_SECONDS = login_state.STATE_TTL_SECONDS + 180


@dataclass(frozen=True)
class Checked:
    """A launch whose id_token passed every check, not yet recorded."""

    platform_id: int
    state: str
    nonce: str
    claims: dict[str, Any]
    browser_bound: bool
    storage_target: str | None
    first_deployment: bool = False  # the platform had no deployment: adopt this one
    canvas_url: str | None = None  # the registration's Canvas (None: read the platform)


def check_launch(
    params: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    tool_conf: DbToolConf,
    secret_key: str,
    keys: PlatformKeySet,
    now: Callable[[], datetime],
    leeway_seconds: int,
    tool_base_url: str,
    secure: bool,  # noqa: ARG001 - the state cookie is checked by value, whatever the scheme
) -> Checked:
    """Validate a launch POST.

    Raises:
        LaunchError: Canvas sent an error, or any check failed (nothing was stored).
    """
    if params.get("error"):
        raise LaunchError(canvas_error_message(params["error"], params.get("error_description")))
    state = str(params.get("state") or "")
    checks = LaunchChecks(
        tool_conf,
        secret_key,
        keys,
        now=now,
        leeway_seconds=leeway_seconds,
        tool_base_url=tool_base_url,
    )
    record, body, registration = checks.run(state, str(params.get("id_token") or ""))
    cookie_matched = state_cookie_matches(cookies, state)
    storage_target = record.get("storage_target") or params.get("lti_storage_target")
    if not cookie_matched and not storage_target:
        raise LaunchError(
            N_(
                "The launch's state does not match this browser (no state cookie came back "
                "and Canvas offered no platform storage). Open the tool in a new tab from "
                "Canvas."
            )
        )
    return Checked(
        platform_id=registration.platform_id,
        state=state,
        nonce=str(body["nonce"]),
        claims=dict(body),
        browser_bound=cookie_matched,
        storage_target=storage_target if isinstance(storage_target, str) else None,
        first_deployment=checks.first_deployment,
        canvas_url=registration.canvas_url,
    )


def consume(storage: StoreLaunchDataStorage, checked: Checked) -> None:
    """Spend the state (and the nonce derived from it); only one request can ever succeed.

    The marker outlives the state's validity (``login_state.STATE_TTL_SECONDS``, plus the
    slack ``read`` allows), so a state is never accepted twice.

    Raises:
        LaunchError: another request consumed them first (a replay).
    """
    spent = storage.add_value(login_state.used_key(checked.state), 1, USED_TTL_SECONDS)
    if not spent:
        raise LaunchError(N_("The launch's state was already used. Reload the page in Canvas."))


def hold_pending(store: StateStore, checked: Checked) -> str:
    """Park a checked launch until the page confirms the state via platform storage."""
    pending_id = uuid.uuid4().hex
    store.put(
        f"pending-{pending_id}",
        {
            "platform_id": checked.platform_id,
            "state": checked.state,
            "nonce": checked.nonce,
            "claims": checked.claims,
            "storage_target": checked.storage_target,
            "first_deployment": checked.first_deployment,
            "canvas_url": checked.canvas_url,
        },
        PENDING_TTL_SECONDS,
    )
    return pending_id


def release_pending(store: StateStore, pending_id: str, state: str) -> Checked:
    """The launch parked under ``pending_id``, once, if ``state`` is the one it was issued for.

    Raises:
        LaunchError: unknown, used or expired id, or a different state.
    """
    if not pending_id or len(pending_id) > 64 or not pending_id.isalnum():
        raise LaunchError(N_("The launch confirmation is malformed."))
    record = store.take(f"pending-{pending_id}")
    if not isinstance(record, dict):
        raise LaunchError(
            N_("The launch confirmation expired or was already used. Reload the page.")
        )
    if not state or state != record.get("state"):
        raise LaunchError(
            "The launch's state does not match the one stored in this browser. "
            "Reload the page in Canvas."
        )
    return Checked(
        platform_id=int(record["platform_id"]),
        state=state,
        nonce=str(record["nonce"]),
        claims=dict(record["claims"]),
        browser_bound=True,
        storage_target=record.get("storage_target"),
        first_deployment=record.get("first_deployment") is True,
        canvas_url=record.get("canvas_url") if isinstance(record.get("canvas_url"), str) else None,
    )


def adopt_first_deployment(session: Session, checked: Checked) -> None:
    """Record the launch's deployment when its platform has none yet (after Dynamic
    Registration); later deployments must be added by an administrator."""
    if not checked.first_deployment:  # the deployment was found registered: nothing to read
        return
    platform = session.get(Platform, checked.platform_id)
    deployment_id = checked.claims.get(c.DEPLOYMENT_ID)
    if platform is not None and not platform.deployments and isinstance(deployment_id, str):
        add_deployment(session, platform, deployment_id)


def build_launch(session: Session, checked: Checked, *, now: datetime, ttl_seconds: int) -> Launch:
    """Check the user's role for the placement and build the ``Launch`` row (not added).

    Raises:
        NotAuthorized: a student (or anyone without the rights) opened a staff placement.
    """
    facts = c.read_facts(checked.claims)
    canvas_url = checked.canvas_url
    if canvas_url is None:
        platform = session.get(Platform, checked.platform_id)
        if platform is None:
            raise LaunchError(N_("The platform of this launch was removed. Ask an administrator."))
        canvas_url = platform.canvas_url
    launch = Launch(
        id=str(uuid.uuid4()),
        platform_id=checked.platform_id,
        deployment_id=facts.deployment_id,
        user_sub=facts.user_sub[:255],
        canvas_user_id=facts.canvas_user_id,
        user_name=facts.user_name,
        roles=facts.roles,
        canvas_roles=facts.canvas_roles,
        placement=facts.placement,
        context_type=facts.context_type,
        lti_context_id=facts.lti_context_id,
        context_title=facts.context_title,
        canvas_course_id=facts.canvas_course_id,
        canvas_account_id=facts.canvas_account_id,
        canvas_assignment_id=facts.quiz.assignment_id,
        canvas_quiz_id=facts.quiz.quiz_id,
        # The API host comes from the registration, never from the (signed but
        # platform-wide) claims: tokens must only ever go to the registered Canvas.
        canvas_api_base_url=canvas_url,
        locale=facts.locale,
        claims=_kept_claims(checked.claims),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    if not may_use_placement(launch, facts.context_type):
        raise NotAuthorized(
            N_(
                "Reports are for teachers, teaching assistants, designers and administrators. "
                "Your role in this course or account does not give access."
            )
            if facts.context_type == "course"
            else N_("Account reports are for account administrators only.")
        )
    return launch


_LAUNCH = cast(Table, Launch.__table__)
_LAUNCH_INSERT = insert(_LAUNCH)  # constant: executed with a parameter dict


def record_launch(session: Session, launch: Launch) -> None:
    """Insert the ``Launch`` row with one Core statement (not an ORM flush: a write-once row
    gains nothing from the unit of work, which cost more CPU than the rest of the launch's
    checks). ``launch`` stays a plain, transient object the caller may read."""
    row: dict[str, Any] = {}
    for column in _LAUNCH.columns:
        value = getattr(launch, column.key)
        if value is not None or column.default is None:  # unset: the column's default
            row[column.key] = value
    session.connection().execute(_LAUNCH_INSERT, row)


LAUNCH_RETENTION = timedelta(days=1)


def purge_launches(session: Session, now: datetime) -> int:
    """Delete launches expired for over a day (their claims hold names and emails)."""
    result = session.execute(delete(Launch).where(Launch.expires_at < now - LAUNCH_RETENTION))
    return int(getattr(result, "rowcount", 0) or 0)


def _kept_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims worth keeping (no nonce: it is spent)."""
    return {key: value for key, value in claims.items() if key not in ("nonce",)}


_CANVAS_ERRORS = {
    "login_required": N_(
        "Canvas refused the launch because you are not logged in there any more. "
        "Log in to Canvas again and reload the page."
    ),
    "unauthorized_client": N_(
        "This tool is not enabled for your Canvas account. Ask a Canvas administrator to "
        "turn the developer key on."
    ),
    "launch_no_longer_valid": N_("The launch expired. Reload the page in Canvas to start again."),
    "invalid_request_object": N_(
        "Canvas rejected the tool's login request. Reload the page; if it keeps happening, "
        "tell an administrator."
    ),
}


def canvas_error_message(error: str, description: str | None) -> str:
    """A friendly sentence for an ``error`` Canvas form-posted instead of an id_token."""
    known = _CANVAS_ERRORS.get(error[:64])
    if known:
        return known
    detail = f" ({description[:200]})" if description else ""
    return f"Canvas refused the launch: {error[:64]}{detail}. Reload the page in Canvas."
