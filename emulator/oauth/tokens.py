"""The OAuth2 provider's domain: authorization codes, access/refresh tokens, revocation.

Kept free of Flask so the views stay thin and tests can drive it directly. Records live in
``store.authorization_codes`` and ``store.access_tokens``; the REST API's auth reads the
latter (``revoked``, ``expires_at``, ``scopes``).
"""

from __future__ import annotations

import secrets
import string
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from emulator.store import AccessToken, AuthorizationCode, DeveloperKey, User

if TYPE_CHECKING:
    from emulator.state import Emulator

STATS_PART = "oauth_stats"
CODE_TTL = timedelta(minutes=10)
REFRESH_REUSE_WINDOW = timedelta(seconds=5)
TOKEN_PREFIX = "1~"  # noqa: S105 - Canvas tokens start with the shard id
GLOBAL_ID_BASE = 10000000000000
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class OAuthError(Exception):
    """A token/auth endpoint failure with Canvas's status and JSON body."""

    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def oauth_stats(emulator: Emulator) -> Counter[str]:
    """Token-endpoint calls per ``grant_type`` (tests of the tool's refresh lock read it),
    plus ``replace_tokens``: code exchanges that sent that field."""
    with emulator.store.lock:
        return cast(Counter[str], emulator.parts.setdefault(STATS_PART, Counter()))


def _random_token() -> str:
    return TOKEN_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(64))


def find_api_key(emulator: Emulator, client_id: str | None) -> DeveloperKey | None:
    if not client_id:
        return None
    for key in emulator.store.developer_keys.values():
        if key.client_id == client_id and key.kind == "api" and key.workflow_state != "deleted":
            return key
    return None


def issue_code(
    emulator: Emulator, key: DeveloperKey, user: User, redirect_uri: str, scopes: list[str]
) -> str:
    """A 128-hex-character code, valid 10 minutes, once."""
    code = secrets.token_hex(64)
    store = emulator.store
    with store.lock:
        store.authorization_codes[code] = AuthorizationCode(
            code=code,
            developer_key_id=key.id,
            user_id=user.id,
            redirect_uri=redirect_uri,
            scopes=list(scopes),
            expires_at=store.now() + CODE_TTL,
        )
    return code


def _ttl(emulator: Emulator) -> timedelta:
    return timedelta(seconds=emulator.settings.token_ttl_seconds)


def redeem_code(
    emulator: Emulator, key: DeveloperKey, code: str, *, replace_tokens: bool = False
) -> AccessToken:
    """Exchange a code for a token pair; the code is spent even if it was the wrong client's."""
    store = emulator.store
    with store.lock:
        grant = store.authorization_codes.get(code)
        if grant is None or grant.used or grant.expires_at <= store.now():
            raise OAuthError(400, "invalid_grant", "authorization_code not found")
        if grant.developer_key_id != key.id:
            raise OAuthError(400, "invalid_grant", "incorrect client")
        grant.used = True
        if replace_tokens:
            for token in store.access_tokens.values():
                if token.user_id == grant.user_id and token.developer_key_id == key.id:
                    token.revoked = True
        now = store.now()
        token = AccessToken(
            token=_random_token(),
            refresh_token=_random_token(),
            user_id=grant.user_id,
            developer_key_id=key.id,
            scopes=list(grant.scopes),
            created_at=now,
            expires_at=now + _ttl(emulator),
        )
        store.access_tokens[token.token] = token
        return token


def refresh(emulator: Emulator, key: DeveloperKey, refresh_token: str) -> AccessToken:
    """Canvas's refresh: same token within 5 s of the last refresh, else a replacement.

    The replaced access token stops working at once; the refresh token stays valid.
    """
    store = emulator.store
    with store.lock:
        current = next(
            (
                t
                for t in store.access_tokens.values()
                if t.refresh_token == refresh_token and not t.revoked
            ),
            None,
        )
        if current is None:
            raise OAuthError(400, "invalid_request", "refresh_token not found")
        if current.developer_key_id != key.id:
            raise OAuthError(400, "invalid_grant", "incorrect client")
        now = store.now()
        last = current.last_refreshed_at
        if last is not None and now - last < REFRESH_REUSE_WINDOW:
            return current
        current.revoked = True
        replacement = AccessToken(
            token=_random_token(),
            refresh_token=current.refresh_token,
            user_id=current.user_id,
            developer_key_id=current.developer_key_id,
            scopes=list(current.scopes),
            created_at=current.created_at,
            expires_at=now + _ttl(emulator),
            last_refreshed_at=now,
        )
        store.access_tokens[replacement.token] = replacement
        return replacement


def token_response(
    emulator: Emulator, token: AccessToken, *, include_refresh: bool
) -> dict[str, Any]:
    """The token endpoint's success JSON (reference 7.2)."""
    user = emulator.store.users[token.user_id]
    body: dict[str, Any] = {
        "access_token": token.token,
        "token_type": "Bearer",
        "user": {
            "id": user.id,
            "name": user.name,
            "global_id": str(GLOBAL_ID_BASE + user.id),
            "effective_locale": user.locale,
        },
        "canvas_region": "unknown",
    }
    if include_refresh:
        body["refresh_token"] = token.refresh_token
    body["expires_in"] = emulator.settings.token_ttl_seconds
    return body


def active_token(emulator: Emulator, raw: str) -> AccessToken | None:
    token = emulator.store.access_tokens.get(raw)
    if token is None or token.revoked:
        return None
    if token.expires_at is not None and token.expires_at <= emulator.store.now():
        return None
    return token


def revoke(emulator: Emulator, token: AccessToken) -> None:
    """Delete an access token and its refresh token (both stop working).

    Canvas keeps both on one ``AccessToken`` record and ``OAuth2ProviderController#destroy``
    destroys the record that authenticated the request; here a refresh replaces the record
    (the old one stays, revoked), so every record sharing the refresh token goes. Other
    tokens of the same user and key are untouched.
    """
    with emulator.store.lock:
        for candidate in emulator.store.access_tokens.values():
            if candidate.refresh_token == token.refresh_token:
                candidate.revoked = True


def revoke_user_tokens(emulator: Emulator, user_id: int) -> int:
    """Revoke every token of a user (a fault knob: "the user's tokens were revoked")."""
    count = 0
    with emulator.store.lock:
        for token in emulator.store.access_tokens.values():
            if token.user_id == user_id and not token.revoked:
                token.revoked = True
                count += 1
    return count
