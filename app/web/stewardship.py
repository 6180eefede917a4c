"""Blueprint: the privacy page, the institution's data settings, forgetting a user, the
audit-trail export (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.canvas.factory import oauth_for_platform
from app.canvas.revocation import revoke_at_canvas
from app.canvas.token_store import StoredToken
from app.db import request_session
from app.errors import BadRequest, NotFound
from app.extensions import current_now, current_secret_box
from app.inputs import parse_id
from app.insights.export import export_filename
from app.models.platform import Platform
from app.reports import audit
from app.reports.stewardship import admins, policy
from app.reports.stewardship.audit_export import audit_csv
from app.reports.stewardship.forget import forget_user
from app.web.auth import launch_required
from app.web.reports import content_disposition, current_judge

bp = Blueprint("stewardship", __name__)


@dataclass
class FormState:
    """What the user typed and the message per field, for re-rendering in place."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@bp.get("/privacy")
@launch_required
def privacy() -> ResponseReturnValue:
    judge = current_judge()
    periods = policy.periods(request_session(), judge.launch.platform_id)
    return render_template("stewardship/privacy.html", periods=periods)


def _admin_page(
    settings: FormState | None = None, forget: FormState | None = None, status: int = 200
) -> ResponseReturnValue:
    judge = current_judge()
    periods = policy.periods(request_session(), judge.launch.platform_id)
    settings = settings or FormState(
        {"job_days": str(periods.job_days), "audit_days": str(periods.audit_days)}
    )
    return (
        render_template(
            "stewardship/admin.html",
            periods=periods,
            settings=settings,
            forget=forget or FormState(),
        ),
        status,
    )


@bp.get("/admin/data")
@launch_required
def admin() -> ResponseReturnValue:
    admins.require_root_admin(current_judge())
    return _admin_page()


@bp.post("/admin/data/retention")
@launch_required
def save_retention() -> ResponseReturnValue:
    judge = current_judge()
    admins.require_root_admin(judge)
    form = FormState({name: request.form.get(name, "") for name in ("job_days", "audit_days")})
    labels = {"job_days": _("Finished reports"), "audit_days": _("Audit trail")}
    days: dict[str, int] = {}
    for name, label in labels.items():
        try:
            days[name] = policy.parse_days(form.values[name], label)
        except BadRequest as error:
            form.errors[name] = error.message
    if form.errors:
        return _admin_page(settings=form, status=400)
    session, launch = request_session(), judge.launch
    wanted = policy.Periods(days["job_days"], days["audit_days"])
    policy.save(session, launch.platform_id, wanted, launch.user_name, current_now())
    audit.record(
        session, launch, audit.Action.RETENTION, current_now(),
        detail=f"jobs {wanted.job_days} days, audit {wanted.audit_days} days",
    )  # fmt: skip
    session.commit()
    return render_template("stewardship/saved.html", periods=wanted)


@bp.post("/admin/data/forget")
@launch_required
def forget() -> ResponseReturnValue:
    judge = current_judge()
    admins.require_root_admin(judge)
    form = FormState({"canvas_user_id": request.form.get("canvas_user_id", "").strip()})
    user_id = parse_id(form.values["canvas_user_id"])
    if user_id is None:
        form.errors["canvas_user_id"] = _("Enter the person's Canvas user id (digits only).")
    if request.form.get("confirm") != "yes":
        form.errors["confirm"] = _("Tick the box to confirm: this cannot be undone.")
    if form.errors or user_id is None:
        return _admin_page(forget=form, status=400)
    session, launch, now = request_session(), judge.launch, current_now()
    platform = session.get(Platform, launch.platform_id)
    if platform is None:
        raise NotFound(_("This platform is no longer registered."))
    oauth = oauth_for_platform(platform)

    def revoke(stored: StoredToken, canvas_user_id: int) -> bool:
        return revoke_at_canvas(oauth, stored, now, canvas_user_id=canvas_user_id)

    done = forget_user(
        session, current_secret_box(), revoke,
        platform_id=launch.platform_id, canvas_user_id=user_id,
    )  # fmt: skip
    if user_id != launch.canvas_user_id:  # forgetting oneself leaves no trace of who asked
        audit.record(session, launch, audit.Action.FORGET, now, detail="a user was forgotten")
    session.commit()
    return render_template("stewardship/forgotten.html", done=done)


@bp.get("/admin/audit.csv")
@launch_required
def audit_export() -> ResponseReturnValue:
    judge = current_judge()
    accounts = admins.audit_accounts(judge)
    session = request_session()
    name = export_filename(
        [judge.launch.context_title, "audit trail"], current_now().date().isoformat()
    )
    rows = audit_csv(session, judge.launch.platform_id, accounts)
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
