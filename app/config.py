"""Typed settings read from the environment; the only reader of ``os.environ`` in the tool."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from app.canvas_endpoints import canvas_scopes
from app.errors import ConfigurationError

DEMO_SECRETS_FILE = "demo-secrets.json"

# Scopes the tool asks for when the Canvas API developer key enforces scopes: exactly those of
# the endpoints its CanvasClient calls (app/canvas_endpoints.py; lti-oauth.md 7.4). Admins copy
# the list from the README, which `scripts/canvas-scopes --write-readme` regenerates.
CANVAS_SCOPES: tuple[str, ...] = canvas_scopes()


@dataclass(frozen=True)
class Settings:
    """Everything the tool needs to start; build with ``from_env`` or directly in tests."""

    database_url: str
    secret_key: str
    tool_base_url: str
    encryption_keys: tuple[str, ...]
    redis_url: str | None = None
    production: bool = False
    user_agent: str = "canvas-reports/0.1.0 (+https://github.com/canvas-reports/canvas-reports)"
    canvas_scopes: tuple[str, ...] = CANVAS_SCOPES
    launch_token_ttl_seconds: int = 8 * 3600
    jwt_leeway_seconds: int = 10
    key_rotation_grace_days: int = 7
    huey_immediate: bool = False
    proxy_hops: int = 0
    allow_dynamic_registration: bool = True
    # Demo only: loopback http origins dynamic registration may fetch from (the emulator);
    # everything else must be https. Always empty in production.
    registration_http_origins: tuple[str, ...] = ()
    # Per client address; Flask-Limiter syntax ("300 per minute;3000 per hour").
    rate_limits_enabled: bool = True
    rate_limit_launch: str = "300 per minute"
    rate_limit_oauth: str = "60 per minute"
    log_level: str = "INFO"
    log_json: bool = False  # one JSON object per line (production default)
    # Total time the worker gives one report-creating attempt (POST + the lost-POST lookup);
    # the start request itself never waits for Canvas (docs/reports.md "Starts").
    start_budget_seconds: int = 5
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings; demo defaults unless ``TOOL_ENV=production``.

        Raises:
            ConfigurationError: production mode with missing or demo secrets.
        """
        env = os.environ if environ is None else environ
        production = env.get("TOOL_ENV", "demo").lower() == "production"
        instance = Path(env.get("TOOL_INSTANCE_DIR", "instance"))
        if production:
            return cls._production(env, instance)
        demo = _demo_secrets(instance)
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance.resolve() / 'demo.db'}",
            secret_key=env.get("SECRET_KEY") or demo["secret_key"],
            tool_base_url=(env.get("TOOL_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            encryption_keys=_split(env.get("ENCRYPTION_KEYS")) or (demo["encryption_key"],),
            redis_url=env.get("REDIS_URL") or None,
            production=False,
            proxy_hops=_int(env, "TOOL_PROXY_HOPS", 0),
            registration_http_origins=_registration_http_origins(env),
            **_operations(env, production=False),
        )

    @classmethod
    def _production(cls, env: Mapping[str, str], instance: Path) -> Settings:
        missing = [
            name
            for name in ("DATABASE_URL", "SECRET_KEY", "TOOL_BASE_URL", "ENCRYPTION_KEYS")
            if not env.get(name)
        ]
        if missing:
            raise ConfigurationError(
                "TOOL_ENV=production needs these environment variables: " + ", ".join(missing)
            )
        secret_key = env["SECRET_KEY"]
        demo = _existing_demo_secrets(instance)
        if len(secret_key) < 32 or secret_key in _KNOWN_DEMO_VALUES | set(demo.values()):
            raise ConfigurationError(
                "SECRET_KEY is a demo value or shorter than 32 characters; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        keys = _split(env["ENCRYPTION_KEYS"])
        if demo.get("encryption_key") in keys:
            raise ConfigurationError(
                "ENCRYPTION_KEYS contains the demo key from the instance folder; "
                "generate a new one for production"
            )
        for key in keys:
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ConfigurationError(
                    "ENCRYPTION_KEYS must be comma-separated Fernet keys; generate one with: "
                    "python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'"
                ) from exc
        if env.get(REGISTRATION_HTTP_ORIGINS_ENV, "").strip():
            raise ConfigurationError(
                f"{REGISTRATION_HTTP_ORIGINS_ENV} is for the demo only; in production dynamic "
                "registration fetches https URLs only"
            )
        base_url = env["TOOL_BASE_URL"].rstrip("/")
        if not base_url.startswith("https://"):
            raise ConfigurationError("TOOL_BASE_URL must be an https:// URL in production")
        return cls(
            database_url=env["DATABASE_URL"],
            secret_key=secret_key,
            tool_base_url=base_url,
            encryption_keys=keys,
            redis_url=env.get("REDIS_URL") or None,
            production=True,
            proxy_hops=_int(env, "TOOL_PROXY_HOPS", 0),
            # Open registration lets anyone add a "platform"; production opts in explicitly.
            allow_dynamic_registration=env.get("ALLOW_DYNAMIC_REGISTRATION", "") == "1",
            **_operations(env, production=True),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """Copy with some fields replaced (tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]


_KNOWN_DEMO_VALUES = {"dev", "demo", "secret", "changeme", "replace-me", "test"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative")
    return value


_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class _Operations(TypedDict):
    log_level: str
    log_json: bool
    rate_limits_enabled: bool
    rate_limit_launch: str
    rate_limit_oauth: str
    start_budget_seconds: int


def _operations(env: Mapping[str, str], *, production: bool) -> _Operations:
    """Logging and rate-limit settings (LOG_LEVEL, LOG_FORMAT, RATE_LIMIT_*)."""
    level = (env.get("LOG_LEVEL") or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}")
    log_format = (env.get("LOG_FORMAT") or ("json" if production else "text")).lower()
    if log_format not in {"json", "text"}:
        raise ConfigurationError("LOG_FORMAT must be json or text")
    return {
        "log_level": level,
        "log_json": log_format == "json",
        "rate_limits_enabled": env.get("RATE_LIMITS", "on").lower() not in {"off", "0", "false"},
        "rate_limit_launch": env.get("RATE_LIMIT_LAUNCH") or Settings.rate_limit_launch,
        "rate_limit_oauth": env.get("RATE_LIMIT_OAUTH") or Settings.rate_limit_oauth,
        "start_budget_seconds": _start_budget(env),
    }


def _start_budget(env: Mapping[str, str]) -> int:
    """``START_BUDGET_SECONDS``: 1..60, default 5."""
    value = _int(env, "START_BUDGET_SECONDS", Settings.start_budget_seconds)
    if not 1 <= value <= 60:
        raise ConfigurationError("START_BUDGET_SECONDS must be between 1 and 60")
    return value


REGISTRATION_HTTP_ORIGINS_ENV = "DYNAMIC_REGISTRATION_HTTP_ORIGINS"
# The demo's emulator (scripts/demo: http://localhost:5001).
DEMO_REGISTRATION_HTTP_ORIGINS = ("http://localhost:5001", "http://127.0.0.1:5001")
_LOOPBACK_HOSTS = frozenset({"localhost", "::1"})


def _registration_http_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """``DYNAMIC_REGISTRATION_HTTP_ORIGINS`` (comma-separated; ``none`` for none), normalised;
    the demo emulator's origins when unset."""
    raw = env.get(REGISTRATION_HTTP_ORIGINS_ENV)
    if raw is None:
        values: tuple[str, ...] = DEMO_REGISTRATION_HTTP_ORIGINS
    elif raw.strip().lower() == "none":
        values = ()
    else:
        values = _split(raw)
    origins = []
    for value in values:
        origin = loopback_http_origin(value)
        if origin is None:
            raise ConfigurationError(
                f"{REGISTRATION_HTTP_ORIGINS_ENV} lists http://<loopback host>[:port] origins "
                f"only (localhost, 127.x.x.x, [::1]), not {value!r}"
            )
        origins.append(origin)
    return tuple(origins)


def loopback_http_origin(url: str) -> str | None:
    """``http://host:port`` (port explicit) when ``url`` is an http URL on a loopback host,
    else None. Used for the allow-list entries and for each URL checked against them."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 80
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "http" or parts.username is not None or not host:
        return None
    if host not in _LOOPBACK_HOSTS:
        try:
            if not ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            return None
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _existing_demo_secrets(instance: Path) -> dict[str, str]:
    """The demo secrets if this instance folder has them (production must not reuse them)."""
    path = instance / DEMO_SECRETS_FILE
    if not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(v, str)}


def _demo_secrets(instance: Path) -> dict[str, str]:
    """Generate demo secrets once and keep them in the instance folder, so restarts keep data."""
    path = instance / DEMO_SECRETS_FILE
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    instance.mkdir(parents=True, exist_ok=True)
    values = {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    _KNOWN_DEMO_VALUES.add(values["secret_key"])
    return values
