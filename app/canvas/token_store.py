"""Encrypted ``CanvasToken`` rows: one per (platform, Canvas user).

Tokens are decrypted only in memory, never logged, never sent to the browser; ``repr`` of
``StoredToken`` hides them so an accidental log line cannot leak one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.canvas.oauth import TokenGrant
from app.crypto import SecretBox
from app.models.canvas_token import CanvasToken


@dataclass(frozen=True)
class StoredToken:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: str

    def __repr__(self) -> str:
        return f"StoredToken(expires_at={self.expires_at}, scopes={self.scopes!r})"

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        """True when the token expires before ``now + margin`` (unknown expiry: never)."""
        return self.expires_at is not None and self.expires_at <= now + margin


class TokenStore:
    """Reads and writes a user's tokens in the caller's session (the caller commits)."""

    def __init__(self, session: Session, box: SecretBox) -> None:
        self._session = session
        self._box = box

    def row(self, platform_id: int, canvas_user_id: int) -> CanvasToken | None:
        return self._session.scalar(
            select(CanvasToken).where(
                CanvasToken.platform_id == platform_id,
                CanvasToken.canvas_user_id == canvas_user_id,
            )
        )

    def load(self, platform_id: int, canvas_user_id: int) -> StoredToken | None:
        row = self.row(platform_id, canvas_user_id)
        return self.decrypt(row) if row is not None else None

    def decrypt(self, row: CanvasToken) -> StoredToken:
        refresh = row.refresh_token_encrypted
        return StoredToken(
            access_token=self._box.decrypt(row.access_token_encrypted),
            refresh_token=self._box.decrypt(refresh) if refresh is not None else None,
            expires_at=row.expires_at,
            scopes=row.scopes,
        )

    def save(self, platform_id: int, canvas_user_id: int, grant: TokenGrant) -> None:
        """Insert or replace; a grant without a refresh token keeps the stored one."""
        row = self.row(platform_id, canvas_user_id)
        if row is None:
            row = CanvasToken(
                platform_id=platform_id,
                canvas_user_id=canvas_user_id,
                refresh_token_encrypted=None,
                scopes="",
            )
            self._session.add(row)
        self.apply(row, grant)
        self._session.flush()

    def apply(self, row: CanvasToken, grant: TokenGrant) -> None:
        row.access_token_encrypted = self._box.encrypt(grant.access_token)
        if grant.refresh_token is not None:
            row.refresh_token_encrypted = self._box.encrypt(grant.refresh_token)
        row.expires_at = grant.expires_at
        if grant.scopes:
            row.scopes = grant.scopes

    def delete(self, platform_id: int, canvas_user_id: int) -> StoredToken | None:
        """Remove the user's tokens; returns what was stored (to revoke it at Canvas)."""
        stored = self.load(platform_id, canvas_user_id)
        self._session.execute(
            delete(CanvasToken).where(
                CanvasToken.platform_id == platform_id,
                CanvasToken.canvas_user_id == canvas_user_id,
            )
        )
        return stored
