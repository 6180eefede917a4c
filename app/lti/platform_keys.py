"""The platform's public keys (its JWKS), cached in shared storage with an expiry.

Canvas rotates its keys; a launch signed with a ``kid`` we have not seen makes us refetch
the key set once, but no more often than ``min_refetch_seconds`` per URL, so a stream of
forged tokens with random ``kid``s cannot turn the tool into a JWKS hammer.

Each process also keeps the keys it has verified with, already parsed, for a few minutes
(``memo_seconds``): a launch then needs neither the shared store nor a JWK parse. Only kids
found in Canvas's published set are kept, so forged kids cannot fill the memo.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from cachetools import TTLCache
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

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
        memo_seconds: int = 300,
    ) -> None:
        self._store = store
        self._http = http
        self._now = now
        self._cache_seconds = cache_seconds
        self._min_refetch = min_refetch_seconds
        self._timeout = timeout
        self._memo: TTLCache[tuple[str, str, str], RSAPublicKey] = TTLCache(
            maxsize=256,
            ttl=min(memo_seconds, cache_seconds),
            timer=lambda: self._now().timestamp(),
        )
        self._memo_lock = threading.Lock()

    def public_key(self, key_set_url: str, kid: str, alg: str) -> RSAPublicKey:
        """The public key named ``kid``.

        Raises:
            LaunchError: unknown ``kid`` even after one refetch, or the JWKS is unreachable.
        """
        memo_key = (key_set_url, kid, alg)
        with self._memo_lock:
            known = self._memo.get(memo_key)
        if known is not None:
            return known
        public = _rsa_public_key(self._published_key(key_set_url, kid, alg))
        with self._memo_lock:
            self._memo[memo_key] = public
        return public

    def _published_key(self, key_set_url: str, kid: str, alg: str) -> dict[str, Any]:
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
        return key

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


def _rsa_public_key(jwk: dict[str, Any]) -> RSAPublicKey:
    try:
        key = RSAAlgorithm.from_jwk(jwk)
    except (InvalidKeyError, ValueError, TypeError, KeyError) as exc:
        raise LaunchError("Canvas published a key the tool cannot read.") from exc
    # A set that wrongly includes private parts still only ever yields the public half.
    return key.public_key() if isinstance(key, RSAPrivateKey) else key


def _find(keys: list[Any], kid: str, alg: str) -> dict[str, Any] | None:
    for key in keys:
        if isinstance(key, dict) and key.get("kid") == kid and key.get("alg", "RS256") == alg:
            return key
    return None
