"""The platform's RSA key set: past, present and future keys, like Canvas's JWKKeyPair rotation.

Canvas publishes three keys so that tools which cached the set keep verifying across a
rotation: the *present* key signs, the *past* key still verifies tokens signed just before
the rotation, and the *future* key is announced before it starts signing.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

if TYPE_CHECKING:
    from emulator.state import Emulator

PART = "lti_keys"
KEY_SIZE = 2048
ROTATION_PERIOD = timedelta(days=30)

# RSA generation costs tens of milliseconds per key; every emulator in a test run would
# otherwise pay for three. Keys are drawn from a process-wide pool in order, so emulators in
# one process share key material (never kids): harmless for a local test platform.
_POOL: list[rsa.RSAPrivateKey] = []
_POOL_LOCK = threading.Lock()


def _pooled_key(index: int) -> rsa.RSAPrivateKey:
    with _POOL_LOCK:
        while len(_POOL) <= index:
            _POOL.append(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))
        return _POOL[index]


def _kid(at: datetime) -> str:
    """Canvas's kids are the key's creation time in ISO 8601 (UTC, seconds)."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PlatformKey:
    kid: str
    created_at: datetime
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk = cast(dict[str, Any], json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key())))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk


class PlatformKeys:
    """Three keys; ``present`` signs. ``rotate()`` moves present→past and future→present."""

    def __init__(self, now: datetime) -> None:
        self._next_index = 0
        self.past = self._new_key(now - 2 * ROTATION_PERIOD)
        self.present = self._new_key(now - ROTATION_PERIOD)
        self.future = self._new_key(now)

    def _new_key(self, created_at: datetime) -> PlatformKey:
        key = _pooled_key(self._next_index)
        self._next_index += 1
        return PlatformKey(kid=_kid(created_at), created_at=created_at, private_key=key)

    def keys(self) -> list[PlatformKey]:
        return [self.past, self.present, self.future]

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.public_jwk() for key in self.keys()]}

    def rotate(self, now: datetime) -> None:
        # A frozen clock may rotate twice in one second: keep kids unique and increasing.
        created = max(now, self.future.created_at + timedelta(seconds=1))
        self.past, self.present = self.present, self.future
        self.future = self._new_key(created)

    def sign(self, payload: dict[str, Any]) -> str:
        """An RS256 JWT signed with the present key; header ``typ``/``alg``/``kid`` as Canvas."""
        return jwt.encode(
            payload,
            self.present.private_key,
            algorithm="RS256",
            headers={"typ": "JWT", "alg": "RS256", "kid": self.present.kid},
        )


def platform_keys(emulator: Emulator) -> PlatformKeys:
    """The emulator's key set, created on first use."""
    with emulator.store.lock:
        keys = emulator.parts.get(PART)
        if keys is None:
            keys = PlatformKeys(emulator.store.now())
            emulator.parts[PART] = keys
        return cast(PlatformKeys, keys)


def rotate(emulator: Emulator) -> PlatformKeys:
    """Rotate the key set (what Canvas's scheduled job does)."""
    with emulator.store.lock:
        keys = platform_keys(emulator)
        keys.rotate(emulator.store.now())
        return keys
