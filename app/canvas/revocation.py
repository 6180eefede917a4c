"""Asking Canvas to revoke a token the tool held (offboarding, "forget a user", key rotation).

Canvas refuses to revoke an expired access token, so for those the stored refresh token is
first exchanged for a fresh access token, which is then revoked (revoking it ends the
refresh token too). Failures are tolerated and logged without the token: the caller deletes
its copy whatever Canvas answers, since the point is that the tool can no longer act.
"""

from __future__ import annotations

import logging
from datetime import datetime

from app.canvas.oauth import CanvasOAuth
from app.canvas.token_store import StoredToken
from app.errors import ToolError

log = logging.getLogger(__name__)


def revoke_at_canvas(
    oauth: CanvasOAuth, stored: StoredToken, now: datetime, *, canvas_user_id: int
) -> bool:
    """True when Canvas confirmed the revocation."""
    expired = stored.expires_at is not None and stored.expires_at <= now
    try:
        if not expired and oauth.revoke(stored.access_token):
            return True
        if stored.refresh_token is None:
            return False
        fresh = oauth.refresh(stored.refresh_token)
        return oauth.revoke(fresh.access_token)
    except ToolError as failure:  # Canvas down, grant already revoked...: keep going
        log.warning(
            "tokens.revoke_failed",
            extra={"canvas_user_id": canvas_user_id, "reason": failure.code},
        )
        return False
