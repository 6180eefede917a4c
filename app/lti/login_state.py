"""The OIDC ``state`` as a signed, self-contained value, and the ``nonce`` derived from it.

Why: a login used to write a state record (holding the nonce) to the shared store and the
launch read it back: two round trips and a row per login, most of a login's cost. The state
now carries what the launch needs (the platform the login started at, Canvas's storage
target and the issue time) under an HMAC with a key derived from ``SECRET_KEY``, so every
worker can check it and nothing is stored at login. The nonce is an HMAC of the state: a
launch must present the nonce issued with its state, as before.

Sizes: a state is about 60 characters (80 with Canvas's ``post_message_forwarding`` target),
the nonce 22; with the ``state-``/``nonce-`` keys the login page stores about 200 characters
in Canvas's platform storage, as much as the stored UUID state and hex nonce did.

Single use is unchanged in effect: the launch that succeeds records ``used-<sha256(state)>``
in the shared store with an insert that only one request can win (``StateStore.add``), in
the same transaction as its ``Launch`` row; a refused launch writes nothing and spends
nothing. The marker outlives the state's validity, so a state can never be used twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

STATE_TTL_SECONDS = 600
MAX_STORAGE_TARGET = 64
_PREFIX = "s1"
_TARGET = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True)
class LoginState:
    """What a valid state says about its login."""

    state: str
    platform_id: int
    storage_target: str | None
    issued_at: int
    nonce: str


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(b"canvas-reports:lti-state:" + secret_key.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(key: bytes, label: bytes, value: str) -> str:
    # 128 bits (22 characters): the state and nonce go into Canvas's platform storage, which
    # allows a tool 4096 characters per page in all (ui/shared/lti/jquery/platform_storage.ts).
    return _b64(hmac.new(key, label + value.encode(), hashlib.sha256).digest()[:16])


def valid_storage_target(target: str) -> bool:
    """Canvas names a frame (``_parent``, ``post_message_forwarding``): short, plain."""
    return bool(_TARGET.match(target))


def issue(secret_key: str, platform_id: int, storage_target: str | None, now: float) -> LoginState:
    """A fresh state for a login at ``platform_id`` (``storage_target`` already checked)."""
    key = _key(secret_key)
    target = storage_target or ""
    body = f"{_PREFIX}.{platform_id}.{int(now)}.{secrets.token_urlsafe(12)}.{target}"
    state = f"{body}.{_mac(key, b'state:', body)}"
    return LoginState(state, platform_id, storage_target, int(now), _mac(key, b"nonce:", state))


def read(secret_key: str, state: str, now: float) -> LoginState | None:
    """The login behind ``state``; None when it was not issued here, is malformed or expired."""
    body, _, mac = state.rpartition(".")
    key = _key(secret_key)
    # Bytes: compare_digest refuses non-ASCII str (a hostile state must be a 400, not a 500).
    expected = _mac(key, b"state:", body).encode()
    if not body or not hmac.compare_digest(mac.encode("utf-8", "replace"), expected):
        return None
    parts = body.split(".")
    if len(parts) != 5 or parts[0] != _PREFIX:
        return None
    _, platform, issued, _, target = parts
    if not platform.isdigit() or not issued.isdigit():
        return None
    age = now - int(issued)
    if age < -60 or age > STATE_TTL_SECONDS:  # a little slack for clocks between workers
        return None
    return LoginState(
        state, int(platform), target or None, int(issued), _mac(key, b"nonce:", state)
    )


def used_key(state: str) -> str:
    """The shared-store key that marks ``state`` as spent."""
    return "used-" + hashlib.sha256(state.encode()).hexdigest()
