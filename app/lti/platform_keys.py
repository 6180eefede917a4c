"""The platform's public keys (its JWKS), cached in shared storage with an expiry.

Canvas rotates its keys; a launch signed with a ``kid`` we have not seen makes us refetch
the key set once, but no more often than ``min_refetch_seconds`` per URL, so a stream of
forged tokens with random ``kid``s cannot turn the tool into a JWKS hammer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from jwcrypto.jwk import JWK

from app.errors import LaunchError
from app.lti.launch_state import StateStore

log = logging.getLogger(__name__)


class PlatformKeySet:
    """Finds the public key (PEM) for a ``kid`` at a JWKS URL."""

    def __init__(
        self,
        store: StateStore,
        http: requests.Session,
        now: Callable[[], datetime],
        *,
        cache_seconds: int = 3600,
        min_refetch_seconds: int = 5,
        timeout: float = 10.0,
    ) -> None:
        self._store = store
        self._http = http
        self._now = now
        self._cache_seconds = cache_seconds
        self._min_refetch = min_refetch_seconds
        self._timeout = timeout

    def public_key(self, key_set_url: str, kid: str, alg: str) -> str:
        """PEM of the key named ``kid``.

        Raises:
            LaunchError: unknown ``kid`` even after one refetch, or the JWKS is unreachable.
        """
        cache_key = "jwks-" + hashlib.sha256(key_set_url.encode()).hexdigest()
        cached = self._store.get(cache_key)
        if cached is None:
            cached = self._fetch(key_set_url, cache_key)
        key = _find(cached["keys"], kid, alg)
        if key is None and self._now().timestamp() - cached["fetched_at"] >= self._min_refetch:
            log.info("lti.jwks.refetch", extra={"key_set_url": key_set_url})
            cached = self._fetch(key_set_url, cache_key)
            key = _find(cached["keys"], kid, alg)
        if key is None:
            raise LaunchError(
                "The launch was signed with a key Canvas does not publish (unknown kid)."
            )
        try:
            pem: bytes = JWK.from_json(json.dumps(key)).export_to_pem()
        except (ValueError, TypeError) as exc:
            raise LaunchError("Canvas published a key the tool cannot read.") from exc
        return pem.decode()

    def _fetch(self, key_set_url: str, cache_key: str) -> dict[str, Any]:
        try:
            response = self._http.get(key_set_url, timeout=self._timeout)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LaunchError(
                "The tool could not fetch Canvas's public keys; try the launch again."
            ) from exc
        keys = body.get("keys") if isinstance(body, dict) else None
        if not isinstance(keys, list):
            raise LaunchError("Canvas's public key set is malformed.")
        entry = {"keys": keys, "fetched_at": self._now().timestamp()}
        self._store.put(cache_key, entry, self._cache_seconds)
        return entry


def _find(keys: list[Any], kid: str, alg: str) -> dict[str, Any] | None:
    for key in keys:
        if isinstance(key, dict) and key.get("kid") == kid and key.get("alg", "RS256") == alg:
            return key
    return None
