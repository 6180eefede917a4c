"""The user-facing OAuth2 round trip: start, callback, disconnect, status.

``state`` is single-use and bound server-side to the launch that asked (``OAuthState``);
the callback refuses a token whose ``user.id`` differs from the launch's Canvas user, so a
code obtained by someone else (login CSRF, a shared computer) can never be attached to
this launch. Views stay thin: they call these functions and render the outcome.

The callback must never hurt the person whose code it received: the code is exchanged
without ``replace_tokens`` (which would make Canvas drop that person's working tokens
before the user check), a token for the wrong user is revoked alone, and on success the
tool's own older token is revoked only after the new one is committed
(``retire_replaced_token``).
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
from app.canvas.oauth import CanvasOAuth, TokenGrant
from app.canvas.token_store import StoredToken, TokenStore
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
class Authorized:
    """A successful callback: whose token was stored, and the older one it replaced.

    ``replaced`` is the tool's previous token for that user (None if there was none); the
    caller commits first, then hands this to ``retire_replaced_token``.
    """

    platform_id: int
    canvas_user_id: int
    replaced: StoredToken | None

    def __repr__(self) -> str:  # never let a token reach a log line via repr()
        return (
            f"Authorized(platform_id={self.platform_id}, canvas_user_id={self.canvas_user_id}, "
            f"replaced={self.replaced is not None})"
        )


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
) -> Authorized:
    """Turn Canvas's answer into a stored token for the launch's user (the caller commits,
    then calls ``retire_replaced_token`` with the result).

    The token comes from the launch's platform's developer key and is stored under that
    platform; its ``user.id`` must be the launch's Canvas user.

    Raises:
        AuthorizationFlowError: Canvas refused, the code failed, or the token is for
            another Canvas user (only that new token is revoked, nothing is stored, and
            that user's other tokens, here and in Canvas, are left alone).
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
    store = TokenStore(session, box)
    replaced = store.load(launch.platform_id, launch.canvas_user_id)
    store.save(launch.platform_id, launch.canvas_user_id, grant)
    log.info("oauth.connected", extra={"launch_id": launch.id})
    if replaced is not None and _same_canvas_token(replaced, grant):
        replaced = None  # Canvas handed back the token we hold (force_token_reuse): keep it
    return Authorized(launch.platform_id, launch.canvas_user_id, replaced)


def retire_replaced_token(oauth: CanvasOAuth, authorized: Authorized) -> bool:
    """Revoke at Canvas the older token a committed authorization replaced.

    Best effort: the new token is already stored, so a Canvas that cannot be reached or
    refuses only leaves that old token valid in Canvas; it is logged (never the token) and
    the authorization stands. True when there was nothing to revoke or Canvas confirmed.
    """
    if authorized.replaced is None:
        return True
    if _revoke_stored(oauth, authorized.replaced):
        log.info(
            "oauth.replaced_token_revoked",
            extra={
                "platform_id": authorized.platform_id,
                "canvas_user_id": authorized.canvas_user_id,
            },
        )
        return True
    log.warning(
        "oauth.replaced_token_not_revoked",
        extra={
            "platform_id": authorized.platform_id,
            "canvas_user_id": authorized.canvas_user_id,
        },
    )
    return False


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
    _revoke_stored(oauth, stored)
    log.info("oauth.disconnected", extra={"launch_id": launch.id})
    return True


def connection_status(session: Session, launch: Launch, box: SecretBox) -> ConnectionStatus:
    if launch.canvas_user_id is None:
        return ConnectionStatus(connected=False)
    row = TokenStore(session, box).row(launch.platform_id, launch.canvas_user_id)
    if row is None:
        return ConnectionStatus(connected=False)
    return ConnectionStatus(connected=True, expires_at=row.expires_at, scopes=row.scopes)


def _same_canvas_token(stored: StoredToken, grant: TokenGrant) -> bool:
    """Whether a grant is the very token (or refresh token) already stored."""
    return stored.access_token == grant.access_token or (
        stored.refresh_token is not None and stored.refresh_token == grant.refresh_token
    )


def _revoke_stored(oauth: CanvasOAuth, stored: StoredToken) -> bool:
    """Revoke a token we held; True when Canvas confirmed.

    An expired access token cannot revoke itself, so it is refreshed once and the fresh
    token revoked (Canvas drops the refresh token with it).
    """
    if _revoke_quietly(oauth, stored.access_token):
        return True
    if not stored.refresh_token:
        return False
    try:
        fresh = oauth.refresh(stored.refresh_token)
    except CanvasError:
        log.info("oauth.revoke_refresh_failed")
        return False
    return _revoke_quietly(oauth, fresh.access_token)


def _revoke_quietly(oauth: CanvasOAuth, access_token: str) -> bool:
    try:
        return oauth.revoke(access_token)
    except CanvasUnavailable:
        log.warning("oauth.revoke_failed")
        return False
