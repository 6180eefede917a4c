"""The user-facing OAuth2 round trip: start, callback, disconnect, status.

``state`` is single-use and bound server-side to the launch that asked (``OAuthState``);
the callback refuses a token whose ``user.id`` differs from the launch's Canvas user, so a
code obtained by someone else (login CSRF, a shared computer) can never be attached to
this launch. Views stay thin: they call these functions and render the outcome.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.canvas.errors import (
    AuthorizationFlowError,
    CanvasError,
    CanvasOAuthError,
    CanvasUnavailable,
)
from app.canvas.oauth import CanvasOAuth
from app.canvas.token_store import TokenStore
from app.crypto import SecretBox
from app.i18n import N_
from app.models.canvas_token import OAuthState
from app.models.launch import Launch

log = logging.getLogger(__name__)

STATE_TTL = timedelta(minutes=10)  # Canvas's codes live 10 minutes too

_CANVAS_REFUSALS = {
    "access_denied": N_(
        "You chose not to authorize Canvas Reports. The tool needs your permission to "
        "request reports from Canvas on your behalf; choose Authorize to try again."
    ),
    "invalid_scope": N_(
        "Canvas refused the permissions (scopes) this tool asks for. A Canvas administrator "
        "must add the tool's scopes to its API developer key (see the tool's README)."
    ),
    "unauthorized_client": N_(
        "The tool's Canvas API developer key is not enabled for this Canvas account. "
        "Ask a Canvas administrator to turn it on."
    ),
}


@dataclass(frozen=True)
class ConnectionStatus:
    """What the page may know about the user's Canvas connection (never the token)."""

    connected: bool
    expires_at: datetime | None = None
    scopes: str = ""


def begin_authorization(session: Session, launch: Launch, oauth: CanvasOAuth, now: datetime) -> str:
    """Record a fresh state for ``launch``; returns Canvas's authorization URL."""
    # Forget states nobody came back for (abandoned popups), so the table stays small.
    session.execute(delete(OAuthState).where(OAuthState.expires_at < now - STATE_TTL))
    state = secrets.token_urlsafe(32)
    session.add(
        OAuthState(state=state, launch_id=launch.id, created_at=now, expires_at=now + STATE_TTL)
    )
    session.flush()
    log.info("oauth.started", extra={"launch_id": launch.id})
    return oauth.authorization_url(state)


def consume_state(session: Session, state: str | None, now: datetime) -> Launch:
    """Mark ``state`` used and return its launch. The caller commits at once, so the
    state stays used even if the rest of the callback fails.

    Raises:
        AuthorizationFlowError: unknown (forged), already used, or expired state.
    """
    record = session.get(OAuthState, state) if state and len(state) <= 128 else None
    if record is None:
        raise AuthorizationFlowError(
            N_(
                "This authorization response does not belong to a request from this tool. "
                "Open the tool from Canvas and choose Authorize again."
            ),
            reason="state_unknown",
        )
    claimed = session.execute(
        update(OAuthState)
        .where(OAuthState.state == record.state, OAuthState.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise AuthorizationFlowError(
            N_("This authorization response was already used. Choose Authorize again."),
            reason="state_used",
        )
    if record.expires_at <= now:
        raise AuthorizationFlowError(
            N_("This authorization request expired. Choose Authorize again."),
            reason="state_expired",
        )
    launch = session.get(Launch, record.launch_id)
    if launch is None:
        raise AuthorizationFlowError(
            N_(
                "The tool session that asked for authorization has ended. "
                "Reopen the tool in Canvas."
            ),
            reason="state_unknown",
        )
    return launch


def finish_authorization(
    session: Session,
    launch: Launch,
    oauth: CanvasOAuth,
    box: SecretBox,
    *,
    code: str | None,
    error: str | None,
) -> None:
    """Turn Canvas's answer into a stored token for the launch's user.

    Raises:
        AuthorizationFlowError: Canvas refused, the code failed, or the token is for
            another Canvas user (that token is revoked at once and never stored).
    """
    if error or not code:
        reason = error if error in _CANVAS_REFUSALS else "canvas_error"
        message = _CANVAS_REFUSALS.get(
            error or "", f"Canvas did not authorize the tool ({error or 'no code returned'})."
        )
        log.info("oauth.refused", extra={"launch_id": launch.id, "error": error})
        raise AuthorizationFlowError(message, reason=reason or "canvas_error")
    try:
        grant = oauth.exchange_code(code)
    except CanvasOAuthError as exc:
        raise AuthorizationFlowError(
            f"Canvas refused to issue a token ({exc.message}). Choose Authorize again.",
            reason="token_error",
        ) from exc
    except CanvasUnavailable as exc:
        raise AuthorizationFlowError(
            N_("Canvas did not answer the token request. Choose Authorize again in a moment."),
            reason="token_error",
        ) from exc
    if launch.canvas_user_id is None or grant.canvas_user_id != launch.canvas_user_id:
        _revoke_quietly(oauth, grant.access_token)
        log.warning("oauth.wrong_user", extra={"launch_id": launch.id})
        raise AuthorizationFlowError(
            N_(
                "You authorized as a different Canvas user than the one using the tool. The token "
                "was discarded. Log in to Canvas as yourself and choose Authorize again."
            ),
            reason="wrong_user",
        )
    TokenStore(session, box).save(launch.platform_id, launch.canvas_user_id, grant)
    log.info("oauth.connected", extra={"launch_id": launch.id})


def disconnect(session: Session, launch: Launch, oauth: CanvasOAuth, box: SecretBox) -> bool:
    """Delete our token and revoke it at Canvas; True when a token existed.

    An expired access token cannot revoke itself, so it is refreshed once and the fresh
    token revoked (Canvas drops the refresh token with it).
    """
    if launch.canvas_user_id is None:
        return False
    stored = TokenStore(session, box).delete(launch.platform_id, launch.canvas_user_id)
    if stored is None:
        return False
    if not _revoke_quietly(oauth, stored.access_token) and stored.refresh_token:
        try:
            fresh = oauth.refresh(stored.refresh_token)
        except CanvasError:
            log.info("oauth.disconnect_refresh_failed", extra={"launch_id": launch.id})
        else:
            _revoke_quietly(oauth, fresh.access_token)
    log.info("oauth.disconnected", extra={"launch_id": launch.id})
    return True


def connection_status(session: Session, launch: Launch, box: SecretBox) -> ConnectionStatus:
    if launch.canvas_user_id is None:
        return ConnectionStatus(connected=False)
    row = TokenStore(session, box).row(launch.platform_id, launch.canvas_user_id)
    if row is None:
        return ConnectionStatus(connected=False)
    return ConnectionStatus(connected=True, expires_at=row.expires_at, scopes=row.scopes)


def _revoke_quietly(oauth: CanvasOAuth, access_token: str) -> bool:
    try:
        return oauth.revoke(access_token)
    except CanvasUnavailable:
        log.warning("oauth.revoke_failed")
        return False
