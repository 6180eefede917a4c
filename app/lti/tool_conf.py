"""The registrations in the database, as the login and the launch need them.

One issuer (``https://canvas.instructure.com``) serves every hosted institution, so a
registration is found by (issuer, client id) and a launch by (issuer, client id, deployment).
The issuer alone never picks a registration: the login requires ``client_id`` and the launch
takes it from ``aud``/``azp``.

``Registration`` is a frozen snapshot (no ORM object), so a request can keep it after its
session is gone and the launch can write its ``Launch`` row without reading the platform
again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.platform import Deployment, Platform


@dataclass(frozen=True)
class Registration:
    """One Canvas developer key registered with the tool, with its deployments."""

    platform_id: int
    issuer: str
    client_id: str
    auth_login_url: str
    key_set_url: str
    canvas_url: str
    deployment_ids: frozenset[str]


class DbToolConf:
    """Registrations read from the database, each at most once per request."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._found: dict[tuple[str, str], Registration | None] = {}

    def registration(self, iss: str, client_id: str) -> Registration | None:
        """The registration of (``iss``, ``client_id``), or None when there is none."""
        if not iss or not client_id:
            return None
        key = (iss, client_id)
        if key not in self._found:
            self._found[key] = _load(self._session, iss, client_id)
        return self._found[key]

    def platform_has_deployments(self, platform_id: int) -> bool:
        """Read fresh (not from the snapshot): adopting a first deployment depends on it."""
        found = self._session.scalars(
            select(Deployment.id).where(Deployment.platform_id == platform_id).limit(1)
        ).first()
        return found is not None


def _load(session: Session, iss: str, client_id: str) -> Registration | None:
    # One round trip: the platform's columns and its deployment ids (outer join).
    rows = session.execute(
        select(
            Platform.id,
            Platform.auth_login_url,
            Platform.key_set_url,
            Platform.canvas_url,
            Deployment.deployment_id,
        )
        .outerjoin(Deployment, Deployment.platform_id == Platform.id)
        .where(Platform.issuer == iss, Platform.client_id == client_id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return Registration(
        platform_id=first.id,
        issuer=iss,
        client_id=client_id,
        auth_login_url=first.auth_login_url,
        key_set_url=first.key_set_url,
        canvas_url=first.canvas_url,
        deployment_ids=frozenset(r.deployment_id for r in rows if r.deployment_id is not None),
    )
