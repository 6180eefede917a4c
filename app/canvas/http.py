"""The one place that sends HTTP to Canvas: headers, timeouts, retries, throttling, errors.

Rules (issue 4):
- every request carries the descriptive ``User-Agent`` and a (connect, read) timeout;
- 429 and legacy 403 "Rate Limit Exceeded" are retried with backoff for every verb, because
  Canvas refuses them before doing any work;
- 5xx and timeouts are retried only for idempotent requests: a report-creating POST that
  times out may have created the report, so the caller gets ``CanvasUnavailable`` and
  reconciles by listing;
- 401 with ``WWW-Authenticate`` means the token is bad: refresh once, then give up;
- the bearer token goes to the Canvas origin only; downloads follow redirects by hand so
  a storage host never sees it.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from app.canvas.errors import (
    CanvasAuthorizationRequired,
    CanvasBadRequest,
    CanvasConflict,
    CanvasError,
    CanvasNotFound,
    CanvasNotPermitted,
    CanvasThrottled,
    CanvasTokenRejected,
    CanvasUnavailable,
    CanvasUnprocessable,
)
from app.canvas.pages import header, next_page_url
from app.canvas.throttle import ThrottleGovernor, backoff_delay, is_rate_limited
from app.canvas.tokens import TokenSource
from app.i18n import N_

log = logging.getLogger(__name__)

JSON = "application/json"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_MESSAGE = 500
Params = Mapping[str, Any] | list[tuple[str, Any]] | None


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 3  # for idempotent requests on 5xx / timeouts
    retry_base: float = 0.5
    retry_cap: float = 8.0
    max_redirects: int = 10
    chunk_size: int = 64 * 1024


class _RetryableError(Exception):
    """A transient failure (5xx, timeout, connection) that an idempotent request may retry."""

    def __init__(self, error: CanvasUnavailable) -> None:
        super().__init__(error.message)
        self.error = error


class CanvasRequester:
    """Sends requests to one Canvas with one user's token source."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        user_agent: str,
        session: requests.Session | None = None,
        policy: HttpPolicy | None = None,
        governor: ThrottleGovernor | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self._tokens = tokens
        self._user_agent = user_agent
        self._session = session or requests.Session()
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.governor = governor or ThrottleGovernor(sleep=sleep, rng=self._rng)

    # ------------------------------------------------------------------ JSON API calls

    def request_json(self, method: str, path: str, *, params: Params = None,
                     json_body: Any = None, accept: str = JSON,
                     idempotent: bool | None = None) -> tuple[Any, Mapping[str, str]]:
        """Send one API request; returns (parsed JSON or None for an empty body, headers).

        Raises:
            CanvasError: a subclass naming what went wrong.
        """
        response = self._send(method, path, params, json_body, accept=accept,
                              idempotent=idempotent)
        return _parse_json(response), response.headers

    def _send(self, method: str, path: str, params: Params = None, json_body: Any = None, *,
              accept: str = JSON, idempotent: bool | None = None) -> requests.Response:
        url = self._api_url(path)
        return self._with_retries(
            lambda: self._send_once(method, url, params, json_body, accept),
            idempotent=method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent,
        )

    def get_pages(
        self,
        path: str,
        *,
        params: Params = None,
        accept: str = JSON,
    ) -> Iterator[Any]:
        """Each page's parsed JSON, following ``Link: rel="next"`` (``Response.links``) on the
        Canvas origin; a URL seen before ends the walk."""
        response = self._send("GET", path, params, accept=accept)
        yield _parse_json(response)
        seen: set[str] = set()
        url = next_page_url(response)
        while url and url not in seen:
            seen.add(url)
            response = self._send("GET", url, accept=accept)
            yield _parse_json(response)
            url = next_page_url(response)

    # ------------------------------------------------------------------ downloads

    @contextmanager
    def open_download(self, url: str) -> Iterator[Iterator[bytes]]:
        """Follow ``url`` (verifier URL, then redirects) and stream the body in chunks.

        The bearer token is sent only while the URL is on the Canvas origin.

        Raises:
            CanvasError: a subclass; a broken stream raises ``CanvasUnavailable`` mid-way.
        """
        response = self._with_retries(lambda: self._follow(url), idempotent=True)
        try:
            yield self._chunks(response)
        finally:
            response.close()

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            for chunk in response.iter_content(chunk_size=self.policy.chunk_size):
                if chunk:
                    yield chunk
        except requests.RequestException as exc:
            raise CanvasUnavailable(N_("The download from Canvas was interrupted.")) from exc

    def _follow(self, url: str) -> requests.Response:
        current = urljoin(self.base_url + "/", url)
        refreshed = False
        redirects = 0
        while True:
            if urlsplit(current).scheme not in {"http", "https"}:
                raise CanvasError("Canvas redirected the download to an unsupported URL.")
            headers = {"User-Agent": self._user_agent}
            token: str | None = None
            if self._on_canvas(current):
                token = self._tokens.access_token()
                headers["Authorization"] = f"Bearer {token}"
            response = self._transmit("GET", current, headers=headers, stream=True)
            location = header(response.headers, "Location")
            if response.status_code in REDIRECT_STATUSES and location:
                response.close()
                redirects += 1
                if redirects > self.policy.max_redirects:
                    raise CanvasError("The download redirected too many times.")
                current = urljoin(current, location)
                continue
            if response.ok:
                return response
            body = _read_error_body(response)
            response.close()
            error = _error_for(response.status_code, response.headers, body)
            if token is None:  # a storage host refused its own signed URL: nothing to refresh
                if isinstance(error, CanvasTokenRejected):
                    raise CanvasNotPermitted(error.message, canvas_status=error.canvas_status)
                raise error
            self._refresh_once(
                error, token, refreshed, "Canvas rejected the access token for this download."
            )
            refreshed = True

    # ------------------------------------------------------------------ the request loop

    def _with_retries(
        self, attempt_once: Callable[[], requests.Response], *, idempotent: bool
    ) -> requests.Response:
        attempt = 0
        while True:
            try:
                return attempt_once()
            except _RetryableError as transient:
                if not idempotent or attempt >= self.policy.max_retries:
                    raise transient.error from None
                attempt += 1
                log.info(
                    "canvas.retry", extra={"attempt": attempt, "reason": transient.error.message}
                )
                self._sleep(
                    backoff_delay(attempt, self.policy.retry_base, self.policy.retry_cap, self._rng)
                )

    def _send_once(
        self,
        method: str,
        url: str,
        params: Params,
        json_body: Any,
        accept: str,
    ) -> requests.Response:
        """One logical request: throttle waits and at most one token refresh inside."""
        throttled = 0
        refreshed = False
        while True:
            self.governor.pause_before_request()
            token = self._tokens.access_token()
            headers = {
                "User-Agent": self._user_agent,
                "Accept": accept,
                "Authorization": f"Bearer {token}",
            }
            response = self._transmit(
                method, url, headers=headers, params=params, json_body=json_body
            )
            self.governor.observe(response.headers)
            if response.ok and response.status_code not in REDIRECT_STATUSES:
                return response
            body = response.text
            if is_rate_limited(response.status_code, body):
                self.governor.throttled()
                throttled += 1
                if throttled > self.governor.policy.max_throttled_retries:
                    raise CanvasThrottled(
                        N_("Canvas is limiting how fast this tool may call it; try again shortly."),
                        canvas_status=response.status_code,
                    )
                log.info("canvas.throttled", extra={"attempt": throttled})
                self.governor.backoff(throttled)
                continue
            if response.status_code in REDIRECT_STATUSES:
                raise CanvasError(
                    "Canvas answered an API request with a redirect.",
                    canvas_status=response.status_code,
                )
            self._refresh_once(
                _error_for(response.status_code, response.headers, body),
                token,
                refreshed,
                N_("Canvas rejected the refreshed access token; please authorize again."),
            )
            refreshed = True

    def _refresh_once(self, error: CanvasError, token: str, refreshed: bool, gave_up: str) -> None:
        """Refresh the token when Canvas rejected it, so the caller sends once more.

        Raises:
            CanvasError: ``error`` itself when it is not a token rejection;
                ``CanvasAuthorizationRequired(gave_up)`` when the refreshed token was
                rejected too.
        """
        if not isinstance(error, CanvasTokenRejected):
            raise error
        if refreshed:
            raise CanvasAuthorizationRequired(gave_up)
        self._tokens.refresh(token)

    def _transmit(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        params: Params = None,
        json_body: Any = None,
        stream: bool = False,
    ) -> requests.Response:
        try:
            response = self._session.request(
                method,
                url,
                headers=headers,
                params=params,
                json=json_body,
                timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                allow_redirects=False,
                stream=stream,
            )
        except requests.Timeout as exc:
            raise _RetryableError(CanvasUnavailable(N_("Canvas did not answer in time."))) from exc
        except requests.ConnectionError as exc:
            raise _RetryableError(CanvasUnavailable(N_("Canvas could not be reached."))) from exc
        if response.status_code >= 500:
            body = _read_error_body(response) if stream else response.text
            response.close()
            raise _RetryableError(
                CanvasUnavailable(
                    _canvas_message(body, f"Canvas failed with HTTP {response.status_code}."),
                    canvas_status=response.status_code,
                )
            )
        return response

    # ------------------------------------------------------------------ helpers

    def _api_url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if not self._on_canvas(path):
                raise CanvasError("Canvas sent a link to another host; it was not followed.")
            return path
        return self.base_url + "/" + path.lstrip("/")

    def _on_canvas(self, url: str) -> bool:
        return _origin(url) == self._origin



def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _read_error_body(response: requests.Response) -> str:
    try:
        raw = response.raw.read(64 * 1024, decode_content=True) if response.raw else b""
    except Exception:  # noqa: BLE001 - an unreadable error body must not hide the status
        raw = b""
    return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""


def _parse_json(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise CanvasError(
            "Canvas returned a response that is not JSON.", canvas_status=response.status_code
        ) from exc


def _canvas_message(body: str, default: str) -> str:
    """Canvas's human message from any of its error body shapes (reports-api.md 0.2)."""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.strip()
        return text[:_MAX_MESSAGE] if text and len(text) < _MAX_MESSAGE else default
    message: str | None = None
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            message = first.get("message") if isinstance(first, dict) else str(first)
        elif isinstance(errors, dict) and errors:
            message = "; ".join(f"{key}: {value}" for key, value in errors.items())
        if not message and isinstance(data.get("message"), str):
            message = data["message"]
        if not message and isinstance(data.get("error"), str):
            description = data.get("error_description")
            message = f"{data['error']}: {description}" if description else data["error"]
    return str(message)[:_MAX_MESSAGE] if message else default


def _error_for(status: int, headers: Mapping[str, str], body: str) -> CanvasError:
    """Map a non-2xx, non-throttle Canvas answer to its typed error."""
    message = _canvas_message(body, f"Canvas answered HTTP {status}.")
    if status == 401 and header(headers, "WWW-Authenticate"):
        return CanvasTokenRejected(message, canvas_status=status)
    kinds: dict[int, type[CanvasError]] = {
        400: CanvasBadRequest,
        401: CanvasNotPermitted,
        403: CanvasNotPermitted,
        404: CanvasNotFound,
        409: CanvasConflict,
        422: CanvasUnprocessable,
    }
    return kinds.get(status, CanvasError)(message, canvas_status=status)
