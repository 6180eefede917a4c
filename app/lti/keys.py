"""The tool's RSA signing keys: create, rotate, publish with a grace period.

The newest unretired key signs. ``rotate`` retires the current key instead of deleting it,
so platforms that cached our JWKS still verify tokens signed before the rotation; retired
keys are dropped once ``grace`` has passed.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.models.tool_key import ToolKey

KEY_SIZE = 2048


def _new_key(box: SecretBox, now: datetime) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()
    kid = f"{now:%Y-%m-%d}-{uuid.uuid4().hex[:12]}"
    jwk: dict[str, Any] = json.loads(JWK.from_pem(pem.encode()).export_public())
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey(kid=kid, private_key_encrypted=box.encrypt(pem), public_jwk=jwk, created_at=now)


def active_key(session: Session) -> ToolKey | None:
    """The key that signs now (newest unretired)."""
    return session.scalars(
        select(ToolKey)
        .where(ToolKey.retired_at.is_(None))
        .order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
    ).first()


def ensure_active_key(session: Session, box: SecretBox, now: datetime) -> ToolKey:
    """Create the first key when none is active (flushes, the caller commits)."""
    key = active_key(session)
    if key is None:
        key = _new_key(box, now)
        session.add(key)
        session.flush()
    return key


def rotate(session: Session, box: SecretBox, now: datetime, grace: timedelta) -> ToolKey:
    """Add a new signing key, retire the old ones, drop keys retired more than ``grace`` ago."""
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
    drop_expired(session, now, grace)
    key = _new_key(box, now)
    session.add(key)
    session.flush()
    return key


def drop_expired(session: Session, now: datetime, grace: timedelta) -> int:
    """Delete keys whose grace period is over; returns how many."""
    expired = list(session.scalars(select(ToolKey).where(ToolKey.retired_at <= now - grace)))
    for key in expired:
        session.delete(key)
    return len(expired)


def published_jwks(session: Session, now: datetime, grace: timedelta) -> dict[str, Any]:
    """Active keys plus retired keys still in their grace period, newest first."""
    keys = session.scalars(
        select(ToolKey)
        .where((ToolKey.retired_at.is_(None)) | (ToolKey.retired_at > now - grace))
        .order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
    )
    return {"keys": [dict(key.public_jwk) for key in keys]}


def all_keys(session: Session) -> list[ToolKey]:
    return list(session.scalars(select(ToolKey).order_by(ToolKey.created_at, ToolKey.id)))


def private_pem(key: ToolKey, box: SecretBox) -> str:
    """The decrypted PEM, for signing client assertions (never logged)."""
    return box.decrypt(key.private_key_encrypted)
