"""Canvas's OAuth2 endpoints for user tokens (lti-oauth.md 7.1-7.3), through Authlib.

The only module that talks to ``/login/oauth2/*``; Authlib's untyped objects stay here.
Token endpoint failures become ``CanvasOAuthError`` (Canvas refused the grant) or
``CanvasUnavailable`` (Canvas could not be reached or answered garbage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from app.canvas.errors import CanvasOAuthError, CanvasUnavailable
from app.config import Settings
from app.crypto import SecretBox
from app.db import utcnow
from app.models.platform import Platform

log = logging.getLogger(__name__)

AUTHORIZE_PATH = "/login/oauth2/auth"
TOKEN_PATH = "/login/oauth2/token"  # noqa: S105 - a URL path, not a secret
CALLBACK_PATH = "/oauth/callback"

# Canvas answers a revoked or unknown refresh token with invalid_request (not invalid_grant).
_REVOKED_DESCRIPTIONS = ("refresh_token not found",)


@dataclass(frozen=True)
class OAuthConfig:
    """What the token calls need for one Canvas API developer key."""

    canvas_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...]
    user_agent: str
    timeout: float = 15.0

    @classmethod
    def for_platform(cls, platform: Platform, settings: Settings, box: SecretBox) -> OAuthConfig:
        return cls(
            canvas_url=platform.canvas_url.rstrip("/"),
            client_id=platform.api_client_id,
            client_secret=box.decrypt(platform.api_client_secret_encrypted),
            redirect_uri=settings.tool_base_url.rstrip("/") + CALLBACK_PATH,
            scopes=settings.canvas_scopes,
            user_agent=settings.user_agent,
        )


@dataclass(frozen=True)
class TokenGrant:
    """A token endpoint answer; ``refresh_token`` is None on refresh (Canvas keeps the old)."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    canvas_user_id: int | None
    scopes: str

    def __repr__(self) -> str:  # never let a token reach a log line via repr()
        return f"TokenGrant(canvas_user_id={self.canvas_user_id}, expires_at={self.expires_at})"


def is_revoked_grant(error: CanvasOAuthError) -> bool:
    """Canvas no longer honours the refresh token: the user must authorize again."""
    if error.error == "invalid_grant":
        return True
    return error.error == "invalid_request" and any(
        text in error.message for text in _REVOKED_DESCRIPTIONS
    )


class CanvasOAuth:
    """Authorization URL, code exchange, refresh and revocation for one developer key."""

    def __init__(
        self,
        config: OAuthConfig,
        *,
        session_factory: Callable[[], requests.Session] | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self._session_factory = session_factory
        self._now = now

    def authorization_url(self, state: str) -> str:
        """Where to send the browser: Canvas's consent page for our scopes."""
        params = {
            "client_id": self.config.client_id,
            "response_type": "code",
            "redirect_uri": self.config.redirect_uri,
            "state": state,
        }
        if self.config.scopes:
            params["scope"] = " ".join(self.config.scopes)
        return f"{self.config.canvas_url}{AUTHORIZE_PATH}?{urlencode(params)}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Redeem an authorization code.

        Never with ``replace_tokens``: the code may be someone else's (a teacher lured onto
        an attacker's authorize link), and Canvas would drop that person's working tokens
        before the caller can see whose token it got. The caller checks the user and then
        revokes exactly the token it no longer wants (``authorization.py``).

        Raises:
            CanvasOAuthError: Canvas refused the code; CanvasUnavailable: no usable answer.
        """
        with self._client() as client:
            token = self._call(
                lambda: client.fetch_token(
                    self._token_url,
                    grant_type="authorization_code",
                    code=code,
                    redirect_uri=self.config.redirect_uri,
                    timeout=self.config.timeout,
                    allow_redirects=False,
                )
            )
        return self._grant(token)

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new access token for ``refresh_token`` (which Canvas keeps valid).

        Raises:
            CanvasOAuthError: refused (see ``is_revoked_grant``); CanvasUnavailable.
        """
        with self._client() as client:
            token = self._call(
                lambda: client.refresh_token(
                    self._token_url,
                    refresh_token=refresh_token,
                    timeout=self.config.timeout,
                    allow_redirects=False,
                )
            )
        # Authlib copies the old refresh token into the answer; say "unchanged" explicitly.
        return replace(self._grant(token), refresh_token=None)

    def revoke(self, access_token: str) -> bool:
        """``DELETE /login/oauth2/token`` with the token itself; True when Canvas confirmed.

        Raises:
            CanvasUnavailable: Canvas could not be reached.
        """
        session = self._session_factory() if self._session_factory else requests.Session()
        try:
            response = session.delete(
                self._token_url,
                headers={
                    "Authorization": f"Bearer {access_token}",
                    "User-Agent": self.config.user_agent,
                    "Accept": "application/json",
                },
                timeout=self.config.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise CanvasUnavailable("Canvas could not be reached to revoke the token.") from exc
        finally:
            session.close()
        log.info("canvas.token_revoked", extra={"status": response.status_code})
        return response.ok

    # ------------------------------------------------------------------ helpers

    @property
    def _token_url(self) -> str:
        return self.config.canvas_url + TOKEN_PATH

    def _client(self) -> OAuth2Session:
        client = OAuth2Session(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        )
        client.headers["User-Agent"] = self.config.user_agent
        client.headers["Accept"] = "application/json"
        if self._session_factory is not None:
            # Tests route the token calls through a fake transport.
            for prefix, adapter in self._session_factory().adapters.items():
                client.mount(prefix, adapter)
        return client

    def _call(self, call: Callable[[], Any]) -> dict[str, Any]:
        try:
            token = call()
        except OAuthError as exc:
            error = str(exc.error or "oauth_error")
            description = str(exc.description or "")
            raise CanvasOAuthError(
                f"{error}: {description}" if description else error, error=error
            ) from exc
        except requests.RequestException as exc:
            raise CanvasUnavailable("Canvas's token endpoint could not be reached.") from exc
        except ValueError as exc:  # not JSON, or a redirect (legacy Canvas) instead of JSON
            raise CanvasUnavailable("Canvas's token endpoint gave an unusable answer.") from exc
        if not isinstance(token, dict) or not token.get("access_token"):
            raise CanvasUnavailable("Canvas's token endpoint gave no access token.")
        return dict(token)

    def _grant(self, token: dict[str, Any]) -> TokenGrant:
        expires_in = token.get("expires_in")
        expires_at = (
            self._now() + timedelta(seconds=float(expires_in))
            if isinstance(expires_in, (int, float))
            else None
        )
        user = token.get("user")
        user_id = user.get("id") if isinstance(user, dict) else None
        refresh_token = token.get("refresh_token")
        return TokenGrant(
            access_token=str(token["access_token"]),
            refresh_token=str(refresh_token) if refresh_token else None,
            expires_at=expires_at,
            canvas_user_id=int(user_id) if isinstance(user_id, (int, str)) else None,
            scopes=str(token.get("scope") or ""),
        )
