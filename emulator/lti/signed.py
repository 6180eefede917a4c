"""Short-lived tokens the emulator signs for itself and reads back (``lti_message_hint``,
dynamic registration tokens): HS256 with the emulator's secret, expiring by the store clock
(so a frozen or advanced clock decides, not the wall clock)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt

if TYPE_CHECKING:
    from emulator.state import Emulator

ALGORITHM = "HS256"


def sign(emulator: Emulator, claims: dict[str, Any], expires_at: datetime) -> str:
    """``claims`` plus ``exp``, signed."""
    payload = {**claims, "exp": int(expires_at.timestamp())}
    return jwt.encode(payload, emulator.settings.secret_key, algorithm=ALGORITHM)


def verify(emulator: Emulator, token: str, required: Sequence[str]) -> dict[str, Any] | None:
    """The claims of a token this emulator signed that has ``required`` claims and has not
    expired by the store clock; None otherwise (forged, malformed or expired)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            emulator.settings.secret_key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["exp", *required]},
        )
    except jwt.PyJWTError:
        return None
    if claims["exp"] <= emulator.store.now().timestamp():
        return None
    return claims
