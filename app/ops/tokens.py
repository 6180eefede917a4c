"""Revoke every Canvas token the tool holds for one platform (a compromised key, an offboarding).

The tool's copy is deleted whatever Canvas answers (the point is that the tool can no longer
act); Canvas is asked to revoke each one (``app/canvas/revocation.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.canvas.oauth import CanvasOAuth
from app.canvas.revocation import revoke_at_canvas
from app.canvas.token_store import TokenStore
from app.crypto import SecretBox
from app.errors import NotFound, ToolError
from app.models.canvas_token import CanvasToken
from app.models.platform import Platform

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevokeResult:
    deleted: int
    revoked_at_canvas: int
    failed_user_ids: tuple[int, ...]


def revoke_all(
    session: Session, box: SecretBox, oauth: CanvasOAuth, platform_id: int, now: datetime
) -> RevokeResult:
    """Delete the platform's stored tokens and revoke each at Canvas (failures tolerated).

    Raises:
        NotFound: no such platform.
    """
    if session.get(Platform, platform_id) is None:
        raise NotFound(f"No platform with id {platform_id}; see: flask --app app platforms list")
    store = TokenStore(session, box)
    rows = list(session.scalars(select(CanvasToken).where(CanvasToken.platform_id == platform_id)))
    revoked = 0
    failed: list[int] = []
    for row in rows:
        if _revoke_one(store, oauth, row, now):
            revoked += 1
        else:
            failed.append(row.canvas_user_id)
    session.execute(delete(CanvasToken).where(CanvasToken.platform_id == platform_id))
    return RevokeResult(len(rows), revoked, tuple(failed))


def _revoke_one(store: TokenStore, oauth: CanvasOAuth, row: CanvasToken, now: datetime) -> bool:
    try:
        stored = store.decrypt(row)
    except ToolError:
        log.warning("tokens.undecryptable", extra={"canvas_user_id": row.canvas_user_id})
        return False
    return revoke_at_canvas(oauth, stored, now, canvas_user_id=row.canvas_user_id)
