"""Structured logs with a request id per request, and a filter that keeps secrets out of them.

Every log line passes through ``RedactingFilter`` on the tool's handler, whatever library
emitted it (werkzeug's request line carries ``?lt=``, urllib3 logs token-endpoint URLs with
``code=``, Authlib may log token bodies): secrets are replaced by ``[REDACTED]`` before a
formatter sees them, and the formatters redact their final text once more (tracebacks).

Production writes one JSON object per line (for a log shipper); the demo writes readable text.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from app.inputs import escape_controls

REQUEST_ID_HEADER = "X-Request-Id"
REDACTED = "[REDACTED]"
_HANDLER_NAME = "canvas-reports"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Names whose values are secrets wherever they appear as name=value, name: value or "name": "v".
SECRET_NAMES = (
    "lt",
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "client_secret",
    "api_client_secret",
    "registration_token",
    "state",
    "nonce",
    "password",
    "secret_key",
    "token",
    "jwt",
    "assertion",
    "client_assertion",
    "authorization",
)
_NAMES = "|".join(sorted(SECRET_NAMES, key=len, reverse=True))
# Extra-field names whose values are always secret (``code``/``state`` also name error codes
# and job states there, so those are redacted by value pattern only).
SECRET_FIELDS = frozenset(SECRET_NAMES) - {"code", "state", "nonce"}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization headers and anything shaped like one.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    # Any JWT (id_tokens, launch tokens, client assertions): three base64url segments.
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"), REDACTED),
    # Fernet ciphertexts (encrypted columns) never belong in a log either.
    (re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"), REDACTED),
    # Canvas access/refresh tokens look like "<shard>~<random>".
    (re.compile(r"\b\d+~[A-Za-z0-9]{16,}\b"), REDACTED),
    # JSON / repr style: "access_token": "..." or 'code': '...'.
    (
        re.compile(rf"""(?i)(["']({_NAMES})["']\s*:\s*["'])[^"']*(["'])"""),
        rf"\1{REDACTED}\3",
    ),
    # Query strings, form bodies, key=value log fields.
    (
        re.compile(rf"""(?i)(?<![A-Za-z0-9_])({_NAMES})=[^&\s"',;)]+"""),
        rf"\1={REDACTED}",
    ),
)


def redact(text: str) -> str:
    """``text`` with every recognised secret replaced by ``[REDACTED]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# LogRecord attributes that are not "extra" fields.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SECRET_FIELDS else _redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra={...}`` fields a caller attached to ``record``."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class RedactingFilter(logging.Filter):
    """Rewrites a record so that neither its message nor its extra fields hold a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in extra_fields(record).items():
            if key.lower() in SECRET_FIELDS:
                setattr(record, key, REDACTED)
            else:
                setattr(record, key, _redact_value(value))
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id``: the current request's id, ``-`` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in extra_fields(record).items():
            body.setdefault(key, value)
        if record.exc_info:
            body["exc"] = redact(self.formatException(record.exc_info))
        # Extra fields were redacted by RedactingFilter; re-redacting the whole line would
        # hide error codes ("code": "not_authorized").
        return json.dumps(body, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for the demo: time, level, request id, logger, message, extra fields.

    One record is one line: control characters (CR, LF, other C0/C1, U+2028/2029) in the
    message and in every extra field are written as escapes, so a value such as
    ``"x\\n2026-01-01 INFO ..."`` (``%0a`` in a URL) cannot forge a log line. A traceback
    or stack follows on lines that each start with ``CONTINUATION``, never at column 0.
    """

    CONTINUATION = "  | "

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(redact(self.formatMessage(record)))
        extras = extra_fields(record)
        if extras:  # already redacted by RedactingFilter
            line += " " + " ".join(
                f"{escape_controls(str(key))}={escape_controls(str(value))}"
                for key, value in extras.items()
            )
        tail: list[str] = []
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            tail.append(record.exc_text)
        if record.stack_info:
            tail.append(self.formatStack(record.stack_info))
        for block in tail:
            for part in redact(block).split("\n"):
                line += "\n" + self.CONTINUATION + escape_controls(part)
        return line


def build_handler(*, json_lines: bool, stream: Any = None) -> logging.Handler:
    """A stream handler with the request-id and redaction filters and the chosen format."""
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    return handler


def configure_logging(*, level: str, json_lines: bool, stream: Any = None) -> logging.Handler:
    """Install the tool's handler on the root logger (replacing an earlier one of ours).

    Other handlers (pytest's capture, gunicorn's) are left alone; records still reach them.
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = build_handler(json_lines=json_lines, stream=stream)
    handler.setLevel(level.upper())
    root.addHandler(handler)
    wanted = logging.getLevelName(level.upper())
    # Never make the root less verbose than someone (pytest's caplog, an operator) set it;
    # our handler's own level keeps our output at ``level``.
    if root.level == logging.NOTSET or root.level > wanted:
        root.setLevel(wanted)
    return handler


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    if not has_request_context():
        return None
    value: str | None = g.get("request_id")
    return value


def _incoming_request_id(values: Iterable[str]) -> str:
    for value in values:
        if _VALID_REQUEST_ID.match(value):
            return value
    return uuid.uuid4().hex


_access_log = logging.getLogger("app.request")
_PROBES = frozenset({"/healthz", "/readyz"})


def _begin() -> None:
    g.request_id = _incoming_request_id(request.headers.getlist(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # an earlier before_request hook refused the request
        _begin()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    started = g.get("request_started")
    if started is not None:
        # The path only: query strings carry launch tokens. Probes every few seconds would
        # drown the rest at INFO.
        level = logging.DEBUG if request.path in _PROBES else logging.INFO
        _access_log.log(
            level,
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def init_app(app: Flask, *, level: str, json_lines: bool) -> None:
    """Request ids on every request and response; the tool's log handler on the root logger."""
    app.before_request(_begin)
    app.after_request(_finish)
    configure_logging(level=level, json_lines=json_lines)
