"""Blueprint: connect the launching user's Canvas account (OAuth2), disconnect, status.

``/oauth/authorize`` runs in a popup or a top-level window, never inside Canvas's iframe
(Canvas's login and consent pages refuse to be framed); ``/oauth/callback`` closes the
popup and tells the opener page, on the tool's own origin, to reload.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.canvas.authorization import (
    begin_authorization,
    connection_status,
    consume_state,
    finish_authorization,
    retire_replaced_token,
)
from app.canvas.authorization import (
    disconnect as disconnect_user,
)
from app.canvas.errors import AuthorizationFlowError, CanvasAuthorizationRequired
from app.canvas.factory import oauth_for_launch
from app.db import request_session
from app.errors import NotAuthorized
from app.extensions import current_now, current_secret_box, current_settings
from app.i18n import translate_known
from app.inputs import is_tool_page_path
from app.lti import launch_token
from app.lti.runtime import LtiRuntime
from app.reports import wake, worker
from app.reports.schedules import runner as schedule_runner
from app.web.auth import current_launch, launch_required, launch_url
from app.web.inputs import page_return_target, without_token

RETURN_TTL_SECONDS = 600  # as long as the OAuth state itself

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


@bp.get("/authorize")
@launch_required
def authorize() -> ResponseReturnValue:
    """Start the round trip for the launch named by ``?lt=``; ``?return_to=`` (a page of
    this tool, checked before anything is stored) is where the user goes after consent."""
    target = page_return_target()
    session = request_session()
    launch = current_launch()
    url = begin_authorization(session, launch, oauth_for_launch(session, launch), current_now())
    if target is not None:
        state = parse_qs(urlsplit(url).query).get("state", [""])[0]
        _returns(session).put(_return_key(state), target, RETURN_TTL_SECONDS)
    session.commit()
    return redirect(url, code=302)


def _returns(session: Session) -> Any:
    runtime: LtiRuntime = current_app.extensions["lti"]
    return runtime.store.within(session)


def _return_key(state: str) -> str:
    """The shared-store key of a state's ``return_to`` (a digest: the state stays out)."""
    return "oauth-return:" + hashlib.sha256(state.encode()).hexdigest()[:40]


@bp.get("/connect")
@launch_required
def connect() -> ResponseReturnValue:
    """A page of its own for the Canvas connection (Authorize / Disconnect)."""
    return render_template("oauth/connect.html")


@bp.get("/callback")
def callback() -> ResponseReturnValue:
    """Canvas sends the browser back here with ``code`` or ``error``, and our ``state``."""
    session = request_session()
    try:
        launch = consume_state(session, request.args.get("state"), current_now())
    except AuthorizationFlowError as failure:
        session.commit()  # an expired state stays used
        return _result(failure)
    target = _returns(session).take(_return_key(request.args.get("state") or ""))
    session.commit()  # single use, whatever happens next
    g.launch_locale = launch.locale  # the popup answers in the launch's language (app/i18n.py)
    oauth = oauth_for_launch(session, launch)
    try:
        authorized = finish_authorization(
            session,
            launch,
            oauth,
            current_secret_box(),
            code=request.args.get("code"),
            error=request.args.get("error"),
        )
    except AuthorizationFlowError as failure:
        session.rollback()
        return _result(failure)
    woken = wake.wake_authorized_user(
        session, authorized.platform_id, authorized.canvas_user_id, current_now()
    )
    schedule_runner.resume_authorized(
        session, authorized.platform_id, authorized.canvas_user_id, current_now()
    )
    session.commit()  # the new token first: only then may the older one go
    worker.schedule_polls(current_app._get_current_object(), woken)  # type: ignore[attr-defined]
    retire_replaced_token(oauth, authorized)
    return _result(None, continue_url=_continue_url(target, launch.id))


def _continue_url(target: Any, launch_id: str) -> str | None:
    """The page the user wanted, with a fresh launch token for the launch that asked
    (the consenting Canvas user is that launch's user: ``finish_authorization`` checked)."""
    if not isinstance(target, str) or not is_tool_page_path(target):
        return None
    token = launch_token.issue(current_settings(), launch_id, now=current_now().timestamp())
    separator = "&" if "?" in target else "?"
    return f"{target}{separator}lt={quote(token, safe='')}"


@bp.post("/disconnect")
@launch_required
def disconnect() -> ResponseReturnValue:
    """Forget the user's token here and revoke it at Canvas."""
    session = request_session()
    launch = current_launch()
    existed = disconnect_user(
        session, launch, oauth_for_launch(session, launch), current_secret_box()
    )
    session.commit()
    if _wants_json():
        return jsonify(connected=False, disconnected=existed)
    return _result(None, outcome="disconnected")


@bp.get("/status")
@launch_required
def status() -> ResponseReturnValue:
    """Whether the user has a stored token (never the token itself)."""
    found = connection_status(request_session(), current_launch(), current_secret_box())
    return jsonify(
        connected=found.connected,
        expires_at=found.expires_at.isoformat() if found.expires_at else None,
    )


def _result(
    failure: AuthorizationFlowError | None,
    *,
    outcome: str = "connected",
    continue_url: str | None = None,
) -> ResponseReturnValue:
    """The popup's closing page: ``outcome`` (connected, disconnected) or the failure."""
    if failure is None:
        return render_template(
            "oauth/result.html",
            result=outcome,
            reason="",
            message=None,
            continue_url=continue_url,
        )
    page = render_template(
        "oauth/result.html", result="failed", reason=failure.reason, message=failure.message
    )
    return page, failure.status


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.app_context_processor
def _connection_global() -> dict[str, Any]:
    """``canvas_connection()`` for ``oauth/_authorize.html`` on any launched page."""

    def canvas_connection() -> Any:
        return connection_status(request_session(), current_launch(), current_secret_box())

    def oauth_return_to() -> str | None:
        """This page (without ``lt``) when it is one to come back to after consent."""
        here = request.full_path.rstrip("?")
        return without_token(here) if is_tool_page_path(here) else None

    return {"canvas_connection": canvas_connection, "oauth_return_to": oauth_return_to}


@bp.app_errorhandler(CanvasAuthorizationRequired)
def _authorization_required(error: CanvasAuthorizationRequired) -> ResponseReturnValue:
    """Wherever Canvas needs the user's permission, offer "Authorize" (page or JSON)."""
    try:
        current_launch()
    except NotAuthorized:
        authorize_url = None
    else:
        authorize_url = launch_url("oauth.authorize")
    if _wants_json() or request.path.startswith("/api/"):
        message = translate_known(error.message)
        body = {"error": error.code, "message": message, "authorize_url": authorize_url}
        return jsonify(body), error.status
    page = render_template(
        "oauth/authorize_required.html", message=error.message, has_launch=bool(authorize_url)
    )
    return page, error.status
