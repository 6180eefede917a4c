"""Platform registrations and their deployments (CLI and dynamic registration share this)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.errors import BadRequest, NotFound
from app.models.platform import Deployment, Platform


@dataclass(frozen=True)
class PlatformInput:
    """The values ``POST /_emulator/tools`` returns and ``platforms add`` takes."""

    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    canvas_url: str
    api_client_id: str
    api_client_secret: str


def _check_url(name: str, value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise BadRequest(f"{name} must be an http(s) URL")
    return value.rstrip("/") if name == "canvas_url" else value


def find_platform(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalars(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    ).first()


def add_platform(
    session: Session, box: SecretBox, values: PlatformInput, *, require_deployment: bool = True
) -> tuple[Platform, bool]:
    """Create the platform or update it, and add the deployment; returns (platform, created).

    A second deployment of an existing (issuer, client id) is added to the same platform:
    one developer key is often installed in several sub-accounts.
    """
    for name in ("auth_login_url", "auth_token_url", "key_set_url", "canvas_url"):
        _check_url(name, getattr(values, name))
    if not values.issuer or not values.client_id:
        raise BadRequest("issuer and client id are required")
    if require_deployment and not values.deployment_id:
        raise BadRequest("a deployment id is required")
    platform = find_platform(session, values.issuer, values.client_id)
    created = platform is None
    if platform is None:
        platform = Platform(issuer=values.issuer, client_id=values.client_id)
        session.add(platform)
    platform.auth_login_url = values.auth_login_url
    platform.auth_token_url = values.auth_token_url
    platform.key_set_url = values.key_set_url
    platform.canvas_url = values.canvas_url.rstrip("/")
    platform.api_client_id = values.api_client_id
    platform.api_client_secret_encrypted = box.encrypt(values.api_client_secret)
    session.flush()
    if values.deployment_id:
        add_deployment(session, platform, values.deployment_id)
    return platform, created


def add_deployment(session: Session, platform: Platform, deployment_id: str) -> Deployment:
    """Idempotent: an existing deployment is returned unchanged."""
    existing = session.scalars(
        select(Deployment).where(
            Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
        )
    ).first()
    if existing is not None:
        return existing
    deployment = Deployment(platform_id=platform.id, deployment_id=deployment_id)
    session.add(deployment)
    session.flush()
    return deployment


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.id)))


def remove_platform(session: Session, platform_id: int, deployment_id: str | None = None) -> None:
    """Remove a whole platform, or only one of its deployments.

    Raises:
        NotFound: no such platform or deployment.
    """
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise NotFound(f"no platform with id {platform_id}")
    if deployment_id is None:
        session.delete(platform)
        return
    deployment = next((d for d in platform.deployments if d.deployment_id == deployment_id), None)
    if deployment is None:
        raise NotFound(f"platform {platform_id} has no deployment {deployment_id!r}")
    session.delete(deployment)


def frame_origins(session: Session) -> list[str]:
    """Origins allowed to frame the tool: every platform's Canvas URL and issuer."""
    origins: set[str] = set()
    for canvas_url, issuer in session.execute(select(Platform.canvas_url, Platform.issuer)):
        for url in (canvas_url, issuer):
            origin = _origin(url)
            if origin:
                origins.add(origin)
    return sorted(origins)


def platform_origins(session: Session, platform_id: int) -> tuple[str, str]:
    """(origin of the OIDC auth URL, origin of the Canvas URL) of one platform."""
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise NotFound(f"no platform with id {platform_id}")
    return _origin(platform.auth_login_url) or "", _origin(platform.canvas_url) or ""


_HOST_PORT = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    # The origin goes into the CSP header: a host with ";" or spaces would add directives.
    if parts.scheme not in ("http", "https") or not _HOST_PORT.match(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}"
