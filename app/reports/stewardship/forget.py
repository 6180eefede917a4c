"""Forget one person: nothing the tool keeps names them afterwards.

For one Canvas user of one platform: their Canvas tokens are revoked at Canvas and deleted,
the jobs they started are deleted with their history, their schedules with their runs,
their launch records and any pending
launch state that mentions them are deleted, and every audit entry they made (or that names
them in its text) is anonymised: the user id is cleared and the name becomes "Forgotten
user". Canvas keeps its own reports; this is about the tool's copy only. The forgetting is
itself audited without naming the person.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.canvas.token_store import StoredToken, TokenStore
from app.crypto import SecretBox
from app.errors import ToolError
from app.models.canvas_token import CanvasToken, OAuthState
from app.models.job import AuditEvent, Job, JobEvent
from app.models.launch import Launch, LaunchStateEntry
from app.models.schedule import Schedule, ScheduleRun

FORGOTTEN = "Forgotten user"

#: ``revoke(stored, canvas_user_id) -> bool``: asks Canvas to revoke (True when confirmed).
Revoker = Callable[[StoredToken, int], bool]


@dataclass(frozen=True)
class Forgotten:
    tokens: int
    revoked_at_canvas: bool
    jobs: int
    schedules: int
    launches: int
    launch_states: int
    audit_entries: int


def _names(session: Session, platform_id: int, canvas_user_id: int) -> set[str]:
    """Every name and LTI subject the tool recorded for the user (to scrub free text)."""
    names: set[str] = set()
    for name, sub in session.execute(
        select(Launch.user_name, Launch.user_sub).where(
            Launch.platform_id == platform_id, Launch.canvas_user_id == canvas_user_id
        )
    ):
        names.update(value for value in (name, sub) if value)
    for (name,) in session.execute(
        select(AuditEvent.user_name).where(
            AuditEvent.platform_id == platform_id, AuditEvent.canvas_user_id == canvas_user_id
        )
    ):
        if name:
            names.add(name)
    for (name,) in session.execute(
        select(Job.user_name).where(
            Job.platform_id == platform_id, Job.canvas_user_id == canvas_user_id
        )
    ):
        if name:
            names.add(name)
    return {name for name in names if len(name) >= 3 and name != FORGOTTEN}


def forget_user(
    session: Session,
    box: SecretBox,
    revoke: Revoker,
    *,
    platform_id: int,
    canvas_user_id: int,
) -> Forgotten:
    """Forget ``canvas_user_id`` on ``platform_id`` (the caller commits)."""
    names = _names(session, platform_id, canvas_user_id)
    store = TokenStore(session, box)
    token_rows = session.scalars(
        select(CanvasToken).where(
            CanvasToken.platform_id == platform_id, CanvasToken.canvas_user_id == canvas_user_id
        )
    ).all()
    revoked = False
    for row in token_rows:
        with suppress(ToolError):  # undecryptable (key ring lost): deleting is all we can do
            revoked = revoke(store.decrypt(row), canvas_user_id) or revoked
    session.execute(
        delete(CanvasToken).where(
            CanvasToken.platform_id == platform_id, CanvasToken.canvas_user_id == canvas_user_id
        )
    )
    job_ids = list(
        session.scalars(
            select(Job.id).where(
                Job.platform_id == platform_id, Job.canvas_user_id == canvas_user_id
            )
        )
    )
    if job_ids:
        session.execute(delete(JobEvent).where(JobEvent.job_id.in_(job_ids)))
        session.execute(
            update(AuditEvent).where(AuditEvent.job_id.in_(job_ids)).values(job_id=None)
        )
        session.execute(delete(Job).where(Job.id.in_(job_ids)))
    owned = select(Schedule.id).where(
        Schedule.platform_id == platform_id, Schedule.owner_user_id == canvas_user_id
    )
    session.execute(delete(ScheduleRun).where(ScheduleRun.schedule_id.in_(owned)))
    schedules = _rows(
        session.execute(
            delete(Schedule).where(
                Schedule.platform_id == platform_id, Schedule.owner_user_id == canvas_user_id
            )
        )
    )
    launch_ids = select(Launch.id).where(
        Launch.platform_id == platform_id, Launch.canvas_user_id == canvas_user_id
    )
    session.execute(delete(OAuthState).where(OAuthState.launch_id.in_(launch_ids)))
    launches = session.execute(
        delete(Launch).where(
            Launch.platform_id == platform_id, Launch.canvas_user_id == canvas_user_id
        )
    )
    states = 0
    if names:
        mentions = or_(*(LaunchStateEntry.value.contains(name) for name in names))
        states = _rows(session.execute(delete(LaunchStateEntry).where(mentions)))
    audited = _rows(
        session.execute(
            update(AuditEvent)
            .where(
                AuditEvent.platform_id == platform_id,
                AuditEvent.canvas_user_id == canvas_user_id,
            )
            .values(canvas_user_id=None, user_name=FORGOTTEN)
        )
    )
    audited += _scrub_details(session, platform_id, names)
    return Forgotten(
        tokens=len(token_rows),
        revoked_at_canvas=revoked,
        jobs=len(job_ids),
        schedules=schedules,
        launches=_rows(launches),
        launch_states=states,
        audit_entries=audited,
    )


def _scrub_details(session: Session, platform_id: int, names: set[str]) -> int:
    """Replace the person's names in other entries' text (e.g. a file name with a name)."""
    if not names:
        return 0
    changed = 0
    mentions = or_(*(AuditEvent.detail.contains(name) for name in names))
    for event in session.scalars(
        select(AuditEvent).where(AuditEvent.platform_id == platform_id, mentions)
    ):
        detail = event.detail
        for name in sorted(names, key=len, reverse=True):
            detail = detail.replace(name, FORGOTTEN)
        event.detail = detail
        changed += 1
    return changed


def _rows(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0
